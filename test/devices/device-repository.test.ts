import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretHasher } from '../../src/devices/credentials.js';
import { EnrollmentUnavailable } from '../../src/devices/device-errors.js';
import { DevicesService } from '../../src/devices/devices.js';
import { DeviceRepository, type NewDevice } from '../../src/store/device-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The devices tables behave the same on both backends: one suite, run on SQLite and PostgreSQL
 * (the store contract's pattern).
 */
const backends: [string, () => Promise<{ store: Store; dispose: () => Promise<void> }>][] = [
  [
    'SQLite',
    async () => {
      const tmp = tempDir();
      return { store: openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'devices.db') }), dispose: async () => tmp.remove() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase();
      return { store: openStore({ kind: 'postgres', url: db.url }), dispose: db.drop };
    },
  ],
];

const T1 = 'tenant-1';
const T2 = 'tenant-2';

function device(overrides: Partial<NewDevice> = {}): NewDevice {
  return {
    id: randomBytes(8).toString('hex'),
    tenantId: T1,
    userId: 'alice',
    displayName: 'iPhone',
    platform: 'iphone',
    secretHash: randomBytes(32),
    hashKeyId: 7,
    createdAt: 1_000,
    ...overrides,
  };
}

describe.each(backends)('devices store on %s', (_name, makeStore) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let repo: DeviceRepository;
  let now = 1_000_000;
  let service: DevicesService;

  beforeAll(async () => {
    ({ store, dispose } = await makeStore());
    await store.migrate();
    await store.tenants.upsert(T1, 'One');
    await store.tenants.upsert(T2, 'Two');
    const feed = new FeedRepository(store.db);
    for (const t of [T1, T2]) {
      const audience = await feed.createAudience(t, 'everyone', ['g']);
      await feed.setUserAudiences(t, [['alice', audience], ['bob', audience]], []);
    }
    repo = new DeviceRepository(store.db);
    service = new DevicesService({ repo, feed, hasher: new SecretHasher([randomBytes(32)]), publicUrl: 'https://switchboard.example', now: () => now });
  });
  afterAll(async () => {
    await store.close();
    await dispose();
  });

  it('has the devices migration', async () => {
    expect((await store.migrationStatus()).applied).toContain('0003-devices');
  });

  it('lists, counts and reads devices only within their tenant and owner', async () => {
    const a1 = device({ createdAt: 1 });
    const a2 = device({ createdAt: 2, platform: 'android', displayName: 'Android device' });
    const b1 = device({ userId: 'bob' });
    const other = device({ tenantId: T2 });
    for (const d of [a1, a2, b1, other]) await repo.insertDevice(d);

    expect((await repo.listForUser(T1, 'alice')).map((d) => d.id)).toEqual([a1.id, a2.id]);
    expect((await repo.listForTenant(T1)).map((d) => d.id).sort()).toEqual([a1.id, a2.id, b1.id].sort());
    expect(await repo.countActive(T1, 'alice')).toBe(2);
    expect(await repo.get(T1, a1.id)).toMatchObject({ id: a1.id, tenantId: T1, userId: 'alice', platform: 'iphone', createdAt: 1, lastSeenAt: null, revokedAt: null });
    expect(await repo.get(T2, a1.id)).toBeUndefined();
    expect(await repo.credentialOf(other.id)).toMatchObject({ tenantId: T2, hashKeyId: 7 });
    expect((await repo.credentialOf(a1.id))!.secretHash.equals(a1.secretHash)).toBe(true);

    await repo.touch(a1.id, 5_000, 'iOS/17.5 dataaccessd/1.0');
    expect(await repo.countsPerUser(T1)).toEqual([
      { userId: 'alice', devices: 2, lastSeenAt: 5_000 },
      { userId: 'bob', devices: 1, lastSeenAt: null },
    ]);
  });

  it('revokes only the owner\'s device, erases its hash, and no longer authenticates or lists it', async () => {
    const d = device({ userId: 'carol' });
    await repo.insertDevice(d);
    expect(await repo.revoke(T1, d.id, 9_000, 'mallory')).toBe(false);
    expect(await repo.revoke(T2, d.id, 9_000)).toBe(false);
    expect(await repo.revoke(T1, d.id, 9_000, 'carol')).toBe(true);
    expect(await repo.revoke(T1, d.id, 9_001, 'carol')).toBe(false);
    expect(await repo.credentialOf(d.id)).toBeUndefined();
    expect(await repo.listForUser(T1, 'carol')).toEqual([]);
    const row = await store.db.selectFrom('devices').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBeNull();
    expect(Number(row.revoked_at)).toBe(9_000);
    // A late touch from a request already in flight must not bring the device back.
    await repo.touch(d.id, 10_000, 'x');
    expect((await repo.get(T1, d.id))!.lastSeenAt).toBeNull();
  });

  it('revokes all of a user\'s devices and later forgets revoked ones', async () => {
    await repo.insertDevice(device({ userId: 'dave' }));
    await repo.insertDevice(device({ userId: 'dave' }));
    expect(await repo.revokeAllOf(T1, 'dave', 20_000)).toBe(2);
    expect(await repo.revokeAllOf(T1, 'dave', 20_001)).toBe(0);
    expect(await repo.deleteRevokedBefore(9_000)).toBe(0);
    // Carol's (revoked at 9 000) and Dave's two.
    expect(await repo.deleteRevokedBefore(20_001)).toBe(3);
    expect(await store.db.selectFrom('devices').select('id').where('user_id', '=', 'dave').execute()).toEqual([]);
  });

  it('an enrollment link redeems once; later tries say used; unknown links say unknown', async () => {
    const link = await service.startEnrollment(T1, 'alice');
    const token = link.enrollmentUrl.split('/').pop()!;
    const first = await service.redeemEnrollment(token, 'android');
    expect(first.credentials.username).toBe(first.device.id);
    await expect(service.redeemEnrollment(token, 'android')).rejects.toMatchObject({ reason: 'used' });
    await expect(service.redeemEnrollment('a'.repeat(32), 'android')).rejects.toMatchObject({ reason: 'unknown' });
    await expect(service.redeemEnrollment('not a token', 'android')).rejects.toBeInstanceOf(EnrollmentUnavailable);
    expect((await repo.get(T1, first.device.id))!.userId).toBe('alice');
  });

  it('two (or eight) concurrent redemptions of one link create exactly one device', async () => {
    const link = await service.startEnrollment(T1, 'bob');
    const token = link.enrollmentUrl.split('/').pop()!;
    const before = await repo.countActive(T1, 'bob');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => service.redeemEnrollment(token, 'other')));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const l of lost) expect(l.reason).toMatchObject({ reason: 'used' });
    expect(await repo.countActive(T1, 'bob')).toBe(before + 1);
  });

  it('a link expires after 15 minutes', async () => {
    const link = await service.startEnrollment(T1, 'alice');
    expect(link.expiresAt.getTime()).toBe(now + 15 * 60_000);
    const token = link.enrollmentUrl.split('/').pop()!;
    now += 15 * 60_000 - 1;
    expect((await service.enrollmentStatus(token)).state).toBe('valid');
    now += 1;
    expect(await service.enrollmentStatus(token)).toEqual({ state: 'expired' });
    await expect(service.redeemEnrollment(token, 'iphone')).rejects.toMatchObject({ reason: 'expired' });
  });

  it('a profile download is taken once, even by concurrent requests, and only with its key', async () => {
    const link = await service.startEnrollment(T1, 'alice');
    const token = link.enrollmentUrl.split('/').pop()!;
    const redeemed = await service.redeemEnrollment(token, 'iphone');
    const key = redeemed.profileDownload!.key;
    expect(await service.takeProfileDownload(token, 'b'.repeat(32))).toBeUndefined();
    expect(await service.hasProfileDownload(token, key)).toBe(true);
    const takes = await Promise.all(Array.from({ length: 4 }, () => service.takeProfileDownload(token, key)));
    const got = takes.filter((t) => t !== undefined);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ username: redeemed.credentials.username, password: redeemed.credentials.password });
    expect(await service.hasProfileDownload(token, key)).toBe(false);
    const row = await store.db.selectFrom('device_enrollments').selectAll().where('device_id', '=', redeemed.device.id).executeTakeFirstOrThrow();
    expect(row.download_sealed).toBeNull();
  });

  it('housekeeping erases undownloaded secrets after 10 minutes and forgets links a day after expiry', async () => {
    const link = await service.startEnrollment(T1, 'alice');
    const token = link.enrollmentUrl.split('/').pop()!;
    const redeemed = await service.redeemEnrollment(token, 'mac');
    now += 10 * 60_000;
    expect(await service.takeProfileDownload(token, redeemed.profileDownload!.key)).toBeUndefined();
    await repo.purgeEnrollments(now, 0);
    const row = await store.db.selectFrom('device_enrollments').selectAll().where('device_id', '=', redeemed.device.id).executeTakeFirstOrThrow();
    expect(row.download_sealed).toBeNull();
    expect((await service.enrollmentStatus(token)).state).toBe('used');
    await repo.purgeEnrollments(now, link.expiresAt.getTime());
    expect((await service.enrollmentStatus(token)).state).toBe('used');
    await repo.purgeEnrollments(now, link.expiresAt.getTime() + 1);
    expect((await service.enrollmentStatus(token)).state).toBe('unknown');
  });

  it('deleting a tenant removes its devices and links, and no other tenant\'s', async () => {
    await service.startEnrollment(T2, 'alice');
    await service.addDevice(T2, 'alice');
    await service.startEnrollment(T1, 'alice');
    await store.tenants.upsert('tenant-3', 'Three');
    const count = async (table: 'devices' | 'device_enrollments', tenantId: string) =>
      Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);
    expect(await count('devices', T2)).toBeGreaterThan(0);
    expect(await count('device_enrollments', T2)).toBeGreaterThan(0);
    expect(await store.tenants.delete(T2)).toBe(true);
    expect(await count('devices', T2)).toBe(0);
    expect(await count('device_enrollments', T2)).toBe(0);
    expect(await count('devices', T1)).toBeGreaterThan(0);
    expect(await count('device_enrollments', T1)).toBeGreaterThan(0);
  });
});
