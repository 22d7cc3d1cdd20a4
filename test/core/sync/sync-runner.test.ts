import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncRunner, type TenantGraph } from '../../../src/core/sync/sync-runner.js';
import { SyncScheduler } from '../../../src/core/sync/sync-scheduler.js';
import { InProcessTenantLock, PostgresTenantLock, type TenantLock } from '../../../src/core/sync/tenant-lock.js';
import { FieldCipher } from '../../../src/crypto/field-cipher.js';
import { createLogger } from '../../../src/log/logger.js';
import { DirectoryRepository } from '../../../src/store/directory-repository.js';
import { SyncRepository } from '../../../src/store/sync-repository.js';
import { FeedRepository } from '../../../src/store/feed-repository.js';
import { savePolicy } from '../../../src/core/tenant-policy.js';
import { defaultPolicy } from '../../../src/core/policy/policy.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, type RunningDevTenant } from '../../helpers/dev-tenant.js';
import { createTestDatabase } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FetchPages } from './fetch-pages.js';

const logger = createLogger('silent');

describe('sync runs: records, locks, several instances, photos', () => {
  let dev: RunningDevTenant;
  let token: string;
  const cipher = new FieldCipher([randomBytes(32)]);
  const tmp = tempDir();
  const graphFor = async (): Promise<TenantGraph> => {
    const pages = new FetchPages(`${dev.baseUrl}/v1.0`, async () => token);
    return { pages, stats: { get requests() { return pages.requests; }, throttled: 0 } };
  };

  beforeAll(async () => {
    dev = await startTestDevTenant();
    token = await dev.syncGraphToken();
  });
  afterAll(async () => {
    await dev.stop();
    tmp.remove();
  });

  async function newStore(kind: 'sqlite' | 'postgres', url?: string): Promise<Store> {
    const store = kind === 'sqlite' ? openStore({ kind, path: `${tmp.dir}/${randomBytes(4).toString('hex')}.db` }) : openStore({ kind, url: url! });
    await store.migrate();
    await store.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
    return store;
  }

  it('records a run with its trigger, mode, Graph requests and changes; the next is a delta round', async () => {
    const store = await newStore('sqlite');
    const runner = new SyncRunner({ store, cipher, lock: new InProcessTenantLock(), graphFor, logger });
    expect((await runner.run(CONTOSO_TENANT_ID, 'manual')).status).toBe('succeeded');
    expect((await runner.run(CONTOSO_TENANT_ID, 'schedule')).status).toBe('succeeded');
    const [second, first] = await new SyncRepository(store.db, cipher).recentRuns(CONTOSO_TENANT_ID);
    expect(first).toMatchObject({ trigger: 'manual', mode: 'full', status: 'succeeded', users_changed: 36, error: null });
    expect(first!.graph_requests).toBeGreaterThanOrEqual(2);
    expect(second).toMatchObject({ trigger: 'schedule', mode: 'delta', status: 'succeeded', users_changed: 0, graph_requests: 2 });
    await store.close();
  });

  it('records a failed run with the reason when Graph cannot be reached on the tenant\'s grant', async () => {
    const store = await newStore('sqlite');
    const runner = new SyncRunner({ store, cipher, lock: new InProcessTenantLock(), graphFor: async () => { throw new Error('the grant lapsed: sign in again'); }, logger });
    expect(await runner.run(CONTOSO_TENANT_ID, 'manual')).toMatchObject({ status: 'failed', error: 'the grant lapsed: sign in again' });
    expect((await new SyncRepository(store.db, cipher).recentRuns(CONTOSO_TENANT_ID))[0]).toMatchObject({ status: 'failed', error: 'the grant lapsed: sign in again' });
    await store.close();
  });

  it('on SQLite, a second run of the same tenant while one runs is refused as busy', async () => {
    const lock: TenantLock = new InProcessTenantLock();
    let release!: () => void;
    const holding = lock.tryRun(CONTOSO_TENANT_ID, () => new Promise<void>((r) => (release = r)));
    expect(await lock.tryRun(CONTOSO_TENANT_ID, async () => 'ran')).toEqual({ ran: false });
    expect(await lock.tryRun('another-tenant', async () => 'ran')).toEqual({ ran: true, value: 'ran' });
    release();
    await holding;
    expect(await lock.tryRun(CONTOSO_TENANT_ID, async () => 'ran')).toEqual({ ran: true, value: 'ran' });
  });

  it('two instances on one PostgreSQL: exactly one syncs a tenant at a time, and the store is complete', async () => {
    const db = await createTestDatabase();
    const [a, b] = [await newStore('postgres', db.url), await newStore('postgres', db.url)];
    try {
      const runnerA = new SyncRunner({ store: a!, cipher, lock: new PostgresTenantLock(a!.db), graphFor, logger });
      const runnerB = new SyncRunner({ store: b!, cipher, lock: new PostgresTenantLock(b!.db), graphFor, logger });
      const outcomes = await Promise.all([runnerA.run(CONTOSO_TENANT_ID, 'schedule'), runnerB.run(CONTOSO_TENANT_ID, 'schedule')]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['busy', 'succeeded']);
      expect(await new DirectoryRepository(a!.db, cipher).countUsers(CONTOSO_TENANT_ID)).toBe(36);
      // The lock is released after the round: the other instance can run the next one.
      expect((await runnerB.run(CONTOSO_TENANT_ID, 'schedule')).status).toBe('succeeded');
    } finally {
      await a!.close();
      await b!.close();
      await db.drop();
    }
  });

  it('the scheduler syncs consented tenants only, and skips a tenant synced within half an interval', async () => {
    const store = await newStore('sqlite');
    await store.tenants.upsert('00000000-0000-0000-0000-0000000000fa', 'No consent');
    await store.tenants.setConsentState(CONTOSO_TENANT_ID, 'granted');
    const calls: string[] = [];
    const runner = new SyncRunner({ store, cipher, lock: new InProcessTenantLock(), graphFor, logger });
    const scheduler = new SyncScheduler({ runner: { run: (t, trigger) => (calls.push(t), runner.run(t, trigger)) }, store, cipher, intervalMs: 60_000, logger });
    await scheduler.tick();
    await scheduler.tick();
    expect(calls).toEqual([CONTOSO_TENANT_ID]);
    await scheduler.stop();
    await store.close();
  });

  it('stores photos on the first round, re-downloads only changed ones, and drops removed ones (Graph delta does not track photos)', async () => {
    const store = openStore({ kind: 'sqlite', path: `${tmp.dir}/p.db` });
    await store.migrate();
    await store.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
    const pages = new FetchPages(`${dev.baseUrl}/v1.0`, async () => token);
    const runner = new SyncRunner({ store, cipher, lock: new InProcessTenantLock(), graphFor: async () => ({ pages, stats: { requests: 0, throttled: 0 } }), logger });
    await runner.run(CONTOSO_TENANT_ID, 'manual');
    const d = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    const withPhotos = [...d.listUsers()].filter((u) => d.photos.has(u.id));
    expect(withPhotos.length).toBeGreaterThan(3);
    const repo = new DirectoryRepository(store.db, cipher);
    for (const u of withPhotos) expect((await repo.getPhoto(CONTOSO_TENANT_ID, u.id))!.bytes.equals(d.photos.get(u.id)!.bytes)).toBe(true);

    const [changed, removed] = withPhotos;
    // Show the changed user's group, so a device would see the photo change.
    const groupOfChanged = d.directGroupIdsOf(changed!.id)[0]!;
    await savePolicy({ db: store.db, cipher }, CONTOSO_TENANT_ID, { ...defaultPolicy(), groups: [groupOfChanged] }, 0, { id: 'admin', name: null });
    const feed = new FeedRepository(store.db);
    const mark = await feed.tenantSeq(CONTOSO_TENANT_ID);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${changed!.id}/photo`, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: png });
    await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${removed!.id}/photo`, { method: 'DELETE' });
    // A day later the daily pass checks every photo.
    await store.db.updateTable('sync_state').set({ updated_at: 0 }).where('kind', '=', 'photos').execute();
    const before = pages.requests;
    await runner.run(CONTOSO_TENANT_ID, 'schedule');
    expect((await repo.getPhoto(CONTOSO_TENANT_ID, changed!.id))!.bytes.equals(png)).toBe(true);
    expect(await repo.getPhoto(CONTOSO_TENANT_ID, removed!.id)).toBeUndefined();
    // A photo-only change is a changed card: its audience's feed records an upsert.
    const audience = (await feed.audienceOf(CONTOSO_TENANT_ID, changed!.id))!;
    expect((await feed.changesSince(audience, mark)).map((c) => [c.contactId, c.op])).toContainEqual([changed!.id, 'upsert']);
    // 2 delta pages + 2 batches of 20 metadata reads for 36 users + 1 download.
    expect(pages.requests - before).toBe(5);
    await store.close();
  });
});
