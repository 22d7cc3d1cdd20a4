import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedOperations } from '../helpers/openapi.js';
import { TokenForge, type ForgedToken } from './kit/forged-tokens.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, GROUPS, identifyingStrings, leaked, startProduct, type DeviceLogin, type Product } from './kit/product.js';
import { timed } from './kit/report.js';

const ADMIN = 'ethan.walker@contoso.example';
const USER = 'jonas.becker@contoso.example';

/**
 * Part 1 of the resilience suite: forged and wrong credentials on every authenticated surface of the
 * running product. Every documented tab and admin API operation gets every forged token (an
 * administrator's claims, so a token accepted by mistake would open everything); every CardDAV
 * resource gets wrong Basic credentials; the device rate limits are driven to their ends. All must be
 * refused with 401 (429 once rate-limited), with a body that carries nothing but the error, and
 * without any effect on the store.
 */
describe('resilience: forged and wrong tokens on every authenticated surface', () => {
  let p: Product;
  let forge: TokenForge;
  let forged: ForgedToken[];
  let adminToken: string;
  let secrets: string[];
  let adminDevice: DeviceLogin;
  let userDevice: DeviceLogin;

  beforeAll(async () => {
    p = await startProduct();
    // A key rollover first, so two keys are published and the "other published kid" case exists. Before
    // the first sign-in: Entra publishes a key long before it signs with it, and the validator refetches
    // the key set for an unknown kid at most every 30 s, so a rollover right after a fetch would refuse
    // the new key's tokens for that long.
    await p.control('POST', '/keys/rotate');
    adminToken = await p.signIn(CONTOSO_TENANT_ID, ADMIN);
    await p.sync(CONTOSO_TENANT_ID);
    await p.setPolicy(CONTOSO_TENANT_ID, { version: 1, groups: [GROUPS.sales, GROUPS.it], mappings: [], hiddenFields: ['mobilePhone'] });
    adminDevice = await p.addDevice(CONTOSO_TENANT_ID, ADMIN);
    userDevice = await p.addDevice(CONTOSO_TENANT_ID, USER);
    forge = await TokenForge.create(p.dev);
    forged = await forge.all(CONTOSO_TENANT_ID, ADMIN, FABRIKAM_TENANT_ID, await p.ssoToken(CONTOSO_TENANT_ID, USER));
    secrets = identifyingStrings(p.dev, CONTOSO_TENANT_ID);
  });
  afterAll(() => p?.stop());

  /** Each documented operation (but the public tab-config) as a request that would do something. */
  const operations = () => {
    const contact = p.userId(CONTOSO_TENANT_ID, USER);
    return documentedOperations()
      .filter((op) => op.template !== '/api/tab-config')
      .map((op) => {
        const path = op.template.replace('/api/directory/{id}', `/api/directory/${contact}`).replace('/api/devices/{id}', `/api/devices/${userDevice.username}`);
        const query = op.method === 'DELETE' && op.template === '/api/admin/devices' ? `?userId=${userDevice.userId}` : '';
        const body = op.template === '/api/admin/policy' && op.method === 'PUT' ? { policy: { version: 1, groups: [], mappings: [], hiddenFields: [] }, version: 1 } : op.template === '/api/admin/policy/preview' ? { policy: { version: 1, groups: [GROUPS.engineering] } } : undefined;
        return { ...op, path: `${path}${query}`, body };
      });
  };

  /** A refusal as required: 401, the Bearer challenge, an error body and nothing else. */
  const expectRefused = async (res: Response, what: string) => {
    const text = await res.text();
    expect(res.status, `${what}: ${text}`).toBe(401);
    expect(res.headers.get('www-authenticate'), what).toBe('Bearer error="invalid_token"');
    const body = JSON.parse(text) as { error: Record<string, unknown> };
    expect(Object.keys(body), what).toEqual(['error']);
    expect(Object.keys(body.error).sort(), what).toEqual(['code', 'message', 'requestId']);
    expect(body.error.code, what).toBe('Unauthorized');
    expect(leaked(text, secrets), what).toEqual([]);
  };

  it('the control: the same claims correctly signed are accepted on every operation', async () => {
    const valid = await forge.valid(CONTOSO_TENANT_ID, ADMIN);
    for (const op of operations()) {
      // Harmless variants of the writes: a version conflict, devices that are not there, no sync start.
      if (op.method === 'POST' && op.template === '/api/admin/sync') continue;
      const path = op.method !== 'DELETE' ? op.path : op.template === '/api/devices/{id}' ? '/api/devices/no-such-device' : `/api/admin/devices?userId=${p.userId(CONTOSO_TENANT_ID, 'grace.kim@contoso.example')}`;
      const body = op.method === 'PUT' ? { ...(op.body as object), version: 999 } : op.body;
      const res = await p.call(op.method, path, valid, body);
      expect(res.status, `${op.method} ${op.template}: ${await res.clone().text()}`).not.toBe(401);
    }
  });

  it('every forged or wrong token is refused on every tab and admin API operation, with no data and no effect', async () => {
    const ops = operations();
    const before = {
      policy: await p.store.db.selectFrom('tenant_policies').select('version').where('tenant_id', '=', CONTOSO_TENANT_ID).executeTakeFirstOrThrow(),
      audit: (await p.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
      runs: (await p.store.db.selectFrom('sync_runs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
      enrollments: (await p.store.db.selectFrom('device_enrollments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
    };
    const statuses = new Map<number, number>();
    await timed('tokens', `tab and admin API: ${forged.length} forged tokens × ${ops.length} operations`, async () => {
      for (const { name, token } of forged) {
        for (const op of ops) {
          const res = await p.call(op.method, op.path, token, op.body);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          await expectRefused(res, `${name} → ${op.method} ${op.template}`);
        }
      }
      return { tried: forged.length * ops.length, failures: [...statuses].filter(([s]) => s !== 401).reduce((n, [, c]) => n + c, 0), figures: { tokens: forged.length, operations: ops.length, statuses: JSON.stringify(Object.fromEntries(statuses)) } };
    });
    // Nothing happened: no policy saved, nothing audited, no round started, no link made, no device revoked.
    expect(await p.store.db.selectFrom('tenant_policies').select('version').where('tenant_id', '=', CONTOSO_TENANT_ID).executeTakeFirstOrThrow()).toEqual(before.policy);
    expect((await p.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(before.audit);
    expect((await p.store.db.selectFrom('sync_runs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(before.runs);
    expect((await p.store.db.selectFrom('device_enrollments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(before.enrollments);
    expect((await p.dav('PROPFIND', userDevice.book, { device: userDevice, depth: '0' })).status).toBe(207);
  });

  it('no token, an empty one, or another scheme is refused the same way; so are routes outside the contract', async () => {
    const headers = [undefined, 'Bearer', 'Bearer ', `Basic ${Buffer.from(`${adminDevice.username}:${adminDevice.password}`).toString('base64')}`, `bearer ${await forge.valid(CONTOSO_TENANT_ID, ADMIN)}x`];
    const paths = ['/api/me', '/api/directory', '/api/admin/policy', '/api/messages', '/api/unknown-route'];
    await timed('tokens', 'missing or malformed Authorization headers, incl. routes outside the contract', async () => {
      for (const authorization of headers) {
        for (const path of paths) {
          const res = await fetch(`${p.base}${path}`, { method: path === '/api/messages' ? 'POST' : 'GET', headers: authorization === undefined ? {} : { authorization } });
          await expectRefused(res, `${String(authorization).slice(0, 20)} → ${path}`);
        }
      }
      return { tried: headers.length * paths.length };
    });
  });

  describe('CardDAV with wrong Basic credentials', () => {
    const davRequests = (device: DeviceLogin) => [
      { method: 'PROPFIND', path: '/dav/', depth: '0' },
      { method: 'PROPFIND', path: `/dav/principals/${device.username}/`, depth: '0' },
      { method: 'PROPFIND', path: device.book, depth: '1' },
      { method: 'REPORT', path: device.book, depth: '1', body: '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>' },
      { method: 'GET', path: `${device.book}${p.userId(CONTOSO_TENANT_ID, USER)}.vcf` },
    ];
    let address = 0;
    /** A fresh client address per case (the app trusts X-Forwarded-For from loopback, as behind a local proxy), so the per-address limit of one case does not leak into the next. */
    const from = () => ({ 'x-forwarded-for': `198.51.100.${++address}` });

    const expectDavRefused = async (res: Response, what: string) => {
      const text = await res.text();
      expect(res.status, `${what}: ${text}`).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toBe('Basic realm="Switchboard", charset="UTF-8"');
      expect(text, what).not.toContain('BEGIN:VCARD');
      expect(text, what).not.toContain('multistatus');
      expect(leaked(text, secrets), what).toEqual([]);
    };

    it('the control: the device\'s own credentials open every one of these resources', async () => {
      for (const r of davRequests(userDevice)) {
        const res = await p.dav(r.method, r.path, { device: userDevice, ...(r.depth ? { depth: r.depth } : {}), ...(r.body ? { body: r.body } : {}), headers: from() });
        expect([200, 207], `${r.method} ${r.path}`).toContain(res.status);
      }
    });

    it('refuses every wrong credential on every resource with 401 and a Basic challenge, nothing else', async () => {
      const victim = await p.addDevice(CONTOSO_TENANT_ID, USER);
      const revoked = await p.addDevice(CONTOSO_TENANT_ID, USER);
      await p.devices.service.revokeDevice(CONTOSO_TENANT_ID, revoked.userId, revoked.username);
      const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      const cases: { name: string; authorization: string | undefined }[] = [
        { name: 'no Authorization header', authorization: undefined },
        { name: 'right device, wrong password', authorization: basic(victim.username, 'not-the-password') },
        { name: 'right device, another device\'s password', authorization: basic(victim.username, adminDevice.password) },
        { name: 'right device, empty password', authorization: basic(victim.username, '') },
        { name: 'unknown device id', authorization: basic('abcdefghijklmnopqrstuvwxyz', victim.password) },
        { name: 'revoked device with its own password', authorization: basic(revoked.username, revoked.password) },
        { name: 'no colon in the credentials', authorization: `Basic ${Buffer.from(victim.username).toString('base64')}` },
        { name: 'not base64', authorization: 'Basic %%%not-base64%%%' },
        { name: 'binary garbage', authorization: `Basic ${Buffer.from([0xff, 0xfe, 0x00, 0x3a, 0x80]).toString('base64')}` },
        { name: '4 KB user name', authorization: basic('d'.repeat(4096), 'x') },
        { name: 'a valid tab SSO token as Bearer', authorization: `Bearer ${adminToken}` },
        { name: 'Digest scheme', authorization: `Digest username="${victim.username}", realm="Switchboard", nonce="x", uri="/dav/", response="0"` },
      ];
      let tried = 0;
      await timed('tokens', `CardDAV: ${cases.length} kinds of wrong credentials × 5 resources`, async () => {
        for (const c of cases) {
          // Each case from its own address: 5 tries each stay under both limits (10 per device, 50 per address).
          const headers = from();
          for (const r of davRequests(victim).slice(0, c.name.startsWith('right device') ? 3 : 5)) {
            const res = await p.dav(r.method, r.path, { ...(c.authorization === undefined ? {} : { authorization: c.authorization }), ...(r.depth ? { depth: r.depth } : {}), ...(r.body ? { body: r.body } : {}), headers });
            tried++;
            await expectDavRefused(res, `${c.name} → ${r.method} ${r.path}`);
          }
        }
        return { tried };
      });
      // The victim's 9 failures did not lock it out, and its own password still works.
      expect((await p.dav('PROPFIND', victim.book, { device: victim, depth: '0', headers: from() })).status).toBe(207);
    });

    it('rate-limits guessing: 10 failures lock the device (even its right password gets 429), the block ends after 5 minutes', async () => {
      const device = await p.addDevice(CONTOSO_TENANT_ID, USER);
      const guesser = from();
      await timed('tokens', 'CardDAV: per-device rate limit (10 failures, 5 minutes)', async () => {
        for (let i = 0; i < 10; i++) {
          const res = await p.dav('PROPFIND', device.book, { device: { ...device, password: `guess-${i}` }, depth: '0', headers: guesser });
          expect(res.status, `guess ${i}`).toBe(401);
        }
        // Locked for everyone presenting this device id, from any address, right password or not.
        for (const headers of [guesser, from()]) {
          const res = await p.dav('PROPFIND', device.book, { device, depth: '0', headers });
          const text = await res.text();
          expect(res.status).toBe(429);
          expect(res.headers.get('retry-after')).toBe('60');
          expect(text).not.toContain('BEGIN:VCARD');
          expect(leaked(text, secrets)).toEqual([]);
        }
        p.clock.offsetMs += 5 * 60_000 + 1_000;
        expect((await p.dav('PROPFIND', device.book, { device, depth: '0', headers: from() })).status).toBe(207);
        return { tried: 13, figures: { failuresBeforeLock: 10, blockMinutes: 5 } };
      });
    });

    it('rate-limits an address: 50 failures from one address refuse even valid devices from it, not from elsewhere', async () => {
      const crowd = from();
      await timed('tokens', 'CardDAV: per-address rate limit (50 failures)', async () => {
        for (let i = 0; i < 50; i++) {
          const res = await p.dav('PROPFIND', '/dav/', { authorization: `Basic ${Buffer.from(`dv_guess${i}:x`).toString('base64')}`, depth: '0', headers: crowd });
          expect(res.status, `guess ${i}`).toBe(401);
        }
        expect((await p.dav('PROPFIND', adminDevice.book, { device: adminDevice, depth: '0', headers: crowd })).status).toBe(429);
        expect((await p.dav('PROPFIND', adminDevice.book, { device: adminDevice, depth: '0', headers: from() })).status).toBe(207);
        return { tried: 52, figures: { failuresBeforeLock: 50 } };
      });
    });
  });
});
