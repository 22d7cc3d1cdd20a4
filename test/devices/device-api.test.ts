import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretHasher } from '../../src/devices/credentials.js';
import { deviceApiRoutes, type Caller } from '../../src/devices/device-api.js';
import { DevicesService } from '../../src/devices/devices.js';
import { renderError } from '../../src/server/errors.js';
import { DeviceRepository } from '../../src/store/device-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { jsonBody, serveForTest } from '../helpers/http.js';
import { tempDir } from '../helpers/temp-dir.js';

const T = 'tenant-api';
const OTHER_TENANT = 'tenant-other';

describe('devices API', () => {
  const tmp = tempDir();
  let store: Store;
  let service: DevicesService;
  let closeServer: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    store = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'api.db') });
    await store.migrate();
    const feed = new FeedRepository(store.db);
    for (const t of [T, OTHER_TENANT]) {
      await store.tenants.upsert(t, t);
      const audience = await feed.createAudience(t, 'all', ['g']);
      await feed.setUserAudiences(t, [['alice', audience], ['bob', audience]], []);
    }
    service = new DevicesService({ repo: new DeviceRepository(store.db), feed, hasher: new SecretHasher([randomBytes(32)]), publicUrl: 'https://sb.example', audit: store.audit });
    // Stands in for the tab's auth middleware: the test names the caller in a header.
    const callerOf = (req: express.Request): Caller | undefined => {
      const h = req.get('x-test-caller');
      if (!h) return undefined;
      const [tenantId = '', userId = '', admin] = h.split('/');
      return { tenantId, userId, isAdmin: admin === 'admin', name: userId };
    };
    const app = express();
    const api = express.Router();
    api.use(express.json());
    api.use(deviceApiRoutes({ devices: service, callerOf }));
    app.use('/api', api);
    app.use(renderError);
    ({ base, close: closeServer } = await serveForTest(app));
  });
  afterAll(async () => {
    await closeServer();
    await store.close();
    tmp.remove();
  });

  const call = (method: string, p: string, caller?: string) => fetch(base + p, { method, headers: caller ? { 'x-test-caller': caller } : {} });

  it('401 for every route without a signed-in caller', async () => {
    for (const [method, p] of [['GET', '/api/devices'], ['POST', '/api/devices'], ['DELETE', '/api/devices/x'], ['GET', '/api/admin/devices'], ['DELETE', '/api/admin/devices?userId=x']] as const) {
      const res = await call(method, p);
      expect(res.status, `${method} ${p}`).toBe(401);
      expect((await jsonBody(res)).error.code).toBe('Unauthorized');
    }
  });

  it('POST /api/devices starts an enrollment: link, expiry and QR', async () => {
    const res = await call('POST', '/api/devices', `${T}/alice`);
    expect(res.status).toBe(201);
    const body = await jsonBody(res);
    expect(body.enrollmentUrl).toMatch(/^https:\/\/sb\.example\/enroll\/[a-z2-7]{32}$/);
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(body.qrPngDataUri).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });

  it('POST /api/devices is 403 NoAccess, with the reason, for a user who receives no contacts', async () => {
    const res = await call('POST', '/api/devices', `${T}/nobody`);
    expect(res.status).toBe(403);
    const { error } = await jsonBody(res);
    expect(error.code).toBe('NoAccess');
    expect(error.message).toMatch(/not in any group that receives company contacts/);
  });

  it('GET /api/devices lists only the caller\'s devices; DELETE revokes one', async () => {
    const mine = await service.addDevice(T, 'alice', 'iphone');
    await service.addDevice(T, 'bob', 'android');
    const list = await jsonBody(await call('GET', '/api/devices', `${T}/alice`));
    expect(list.devices).toEqual([{ id: mine.device.id, name: 'iPhone', platform: 'iphone', createdAt: expect.any(String), lastSeenAt: null, clientName: null }]);
    const del = await call('DELETE', `/api/devices/${mine.device.id}`, `${T}/alice`);
    expect(del.status).toBe(204);
    expect((await jsonBody(await call('GET', '/api/devices', `${T}/alice`))).devices).toEqual([]);
    // Already revoked: gone.
    expect((await call('DELETE', `/api/devices/${mine.device.id}`, `${T}/alice`)).status).toBe(404);
  });

  it('DELETE of another user\'s (or another tenant\'s) device is 404 like an unknown id, and revokes nothing', async () => {
    const bobs = await service.addDevice(T, 'bob');
    const elsewhere = await service.addDevice(OTHER_TENANT, 'alice');
    for (const [id, caller] of [[bobs.device.id, `${T}/alice`], [elsewhere.device.id, `${T}/alice`], ['a'.repeat(26), `${T}/alice`], [bobs.device.id, `${T}/alice/admin`]]) {
      const res = await call('DELETE', `/api/devices/${id}`, caller);
      expect(res.status).toBe(404);
      expect((await jsonBody(res)).error.code).toBe('DeviceNotFound');
    }
    expect((await service.listDevices(T, 'bob')).map((d) => d.id)).toContain(bobs.device.id);
    expect((await service.listDevices(OTHER_TENANT, 'alice')).map((d) => d.id)).toContain(elsewhere.device.id);
  });

  it('admins see device counts per user of their own tenant; others get 403', async () => {
    expect((await call('GET', '/api/admin/devices', `${T}/alice`)).status).toBe(403);
    const res = await call('GET', '/api/admin/devices', `${T}/admin-1/admin`);
    expect(res.status).toBe(200);
    const { users } = await jsonBody(res);
    expect(users).toEqual([{ userId: 'bob', name: null, devices: 2, lastSeenAt: null }]);
  });

  it('admins revoke all of a user\'s devices; userId is required; non-admins get 403', async () => {
    expect((await call('DELETE', '/api/admin/devices?userId=bob', `${T}/alice`)).status).toBe(403);
    const missing = await call('DELETE', '/api/admin/devices', `${T}/admin-1/admin`);
    expect(missing.status).toBe(400);
    const res = await call('DELETE', '/api/admin/devices?userId=bob', `${T}/admin-1/admin`);
    expect(await jsonBody(res)).toEqual({ userId: 'bob', revoked: 2 });
    expect(await service.listDevices(T, 'bob')).toEqual([]);
    expect((await store.audit.list(T))[0]).toMatchObject({ action: 'device.revoke-all', target: 'bob', actor: { id: 'admin-1' } });
    // The other tenant's devices are untouched.
    expect(await service.listDevices(OTHER_TENANT, 'alice')).toHaveLength(1);
  });
});
