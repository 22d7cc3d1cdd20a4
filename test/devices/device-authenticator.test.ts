import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newDeviceId, SecretHasher } from '../../src/devices/credentials.js';
import { StoreDeviceAuthenticator } from '../../src/devices/device-authenticator.js';
import { DevicesService, type DeviceCredentials } from '../../src/devices/devices.js';
import { DeviceRepository } from '../../src/store/device-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const T = 'tenant-a';
const MINUTE = 60_000;

describe('StoreDeviceAuthenticator', () => {
  const tmp = tempDir();
  let store: Store;
  let repo: DeviceRepository;
  let feed: FeedRepository;
  const key = randomBytes(32);
  let now = 1_700_000_000_000;
  const clock = () => now;
  let service: DevicesService;

  beforeAll(async () => {
    store = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'auth.db') });
    await store.migrate();
    await store.tenants.upsert(T, 'A');
    feed = new FeedRepository(store.db);
    const audience = await feed.createAudience(T, 'all', ['g']);
    await feed.setUserAudiences(T, [['alice', audience], ['bob', audience]], []);
    repo = new DeviceRepository(store.db);
    service = new DevicesService({ repo, feed, hasher: new SecretHasher([key]), publicUrl: 'https://sb.example', now: clock });
  });
  afterAll(async () => {
    await store.close();
    tmp.remove();
  });

  const authenticator = (keys: Buffer[] = [key]) => new StoreDeviceAuthenticator({ devices: repo, hasher: new SecretHasher(keys), now: clock });
  const newDevice = async (user = 'alice'): Promise<DeviceCredentials> => (await service.addDevice(T, user, 'iphone')).credentials;

  it('turns the right credentials into the device principal, in any typed form', async () => {
    const c = await newDevice();
    const auth = authenticator();
    const principal = { deviceId: c.deviceId, tenantId: T, userId: 'alice' };
    expect(await auth.authenticate(c.username, c.password, '198.51.100.1')).toEqual(principal);
    expect(await auth.authenticate(c.username.toUpperCase(), c.password.replace(/-/g, '').toUpperCase(), '198.51.100.1')).toEqual(principal);
  });

  it('refuses wrong, unknown and malformed credentials alike (undefined), reading the database only for well-formed ids', async () => {
    const c = await newDevice();
    const auth = authenticator();
    const reads = vi.spyOn(repo, 'credentialOf');
    expect(await auth.authenticate(c.username, (await newDevice()).password, '198.51.100.2')).toBeUndefined();
    expect(await auth.authenticate('a'.repeat(26), c.password, '198.51.100.2')).toBeUndefined();
    expect(await auth.authenticate("' or 1=1 --", c.password, '198.51.100.2')).toBeUndefined();
    expect(await auth.authenticate(c.username, '', '198.51.100.2')).toBeUndefined();
    expect(reads).toHaveBeenCalledTimes(3);
    reads.mockRestore();
  });

  it('refuses a revoked device at its very next request (no cache outlives revocation)', async () => {
    const c = await newDevice();
    const auth = authenticator();
    expect(await auth.authenticate(c.username, c.password, '198.51.100.3')).toMatchObject({ deviceId: c.deviceId });
    expect(await service.revokeDevice(T, 'alice', c.deviceId)).toBe(true);
    expect(await auth.authenticate(c.username, c.password, '198.51.100.3')).toBeUndefined();
  });

  it('still authenticates a device whose owner no longer receives contacts (its book is then empty)', async () => {
    const c = await newDevice('bob');
    await feed.setUserAudiences(T, [], ['bob']);
    expect(await feed.audienceOf(T, 'bob')).toBeUndefined();
    expect(await authenticator().authenticate(c.username, c.password, '198.51.100.4')).toEqual({ deviceId: c.deviceId, tenantId: T, userId: 'bob' });
  });

  it('rate-limits a device after 10 failures in 5 minutes, for 5 minutes, even with the right password', async () => {
    const c = await newDevice();
    const other = await newDevice();
    const auth = authenticator();
    for (let i = 0; i < 10; i++) {
      // Different addresses: only the per-device count can trip.
      expect(await auth.authenticate(c.username, 'wrong-password', `203.0.113.${i}`)).toBeUndefined();
      now += 1_000;
    }
    expect(await auth.authenticate(c.username, c.password, '203.0.113.100')).toBe('rate-limited');
    // Another device is unaffected, from any of those addresses.
    expect(await auth.authenticate(other.username, other.password, '203.0.113.1')).toMatchObject({ deviceId: other.deviceId });
    now += 5 * MINUTE;
    expect(await auth.authenticate(c.username, c.password, '203.0.113.100')).toMatchObject({ deviceId: c.deviceId });
  });

  it('rate-limits an address after 50 failures across device ids; other addresses are unaffected', async () => {
    const c = await newDevice();
    const auth = authenticator();
    for (let i = 0; i < 50; i++) {
      expect(await auth.authenticate(newDeviceId(), 'guess', '192.0.2.9')).toBeUndefined();
    }
    expect(await auth.authenticate(c.username, c.password, '192.0.2.9')).toBe('rate-limited');
    expect(await auth.authenticate(c.username, c.password, '192.0.2.10')).toMatchObject({ deviceId: c.deviceId });
    // IPv6 neighbours in one /64 share a count.
    for (let i = 0; i < 50; i++) await auth.authenticate(newDeviceId(), 'guess', `2001:db8:0:1::${(i + 1).toString(16)}`);
    expect(await auth.authenticate(c.username, c.password, '2001:db8:0:1::ffff')).toBe('rate-limited');
    expect(await auth.authenticate(c.username, c.password, '2001:db8:0:2::1')).toMatchObject({ deviceId: c.deviceId });
    now += 5 * MINUTE;
    expect(await auth.authenticate(c.username, c.password, '192.0.2.9')).toMatchObject({ deviceId: c.deviceId });
  });

  it('a success clears the device\'s failures', async () => {
    const c = await newDevice();
    const auth = authenticator();
    for (let i = 0; i < 9; i++) await auth.authenticate(c.username, 'wrong', `198.18.0.${i}`);
    expect(await auth.authenticate(c.username, c.password, '198.18.1.1')).toMatchObject({ deviceId: c.deviceId });
    for (let i = 0; i < 9; i++) await auth.authenticate(c.username, 'wrong', `198.18.2.${i}`);
    expect(await auth.authenticate(c.username, c.password, '198.18.1.1')).toMatchObject({ deviceId: c.deviceId });
  });

  it('records last seen and the client name at most once a minute per device', async () => {
    const c = await newDevice();
    const auth = authenticator();
    const writes = vi.spyOn(repo, 'touch');
    const principal = { deviceId: c.deviceId, tenantId: T, userId: 'alice' };
    await auth.touch(principal, 'iOS/17.5 (21F79) dataaccessd/1.0');
    const seenAt = now;
    now += 59_000;
    await auth.touch(principal, 'iOS/17.5 (21F79) dataaccessd/1.0');
    expect(writes).toHaveBeenCalledTimes(1);
    expect(await repo.get(T, c.deviceId)).toMatchObject({ lastSeenAt: seenAt, clientName: 'iOS/17.5 (21F79) dataaccessd/1.0' });
    now += 1_000;
    await auth.touch(principal, `DAVx5/4.4\n${'x'.repeat(500)}`);
    expect(writes).toHaveBeenCalledTimes(2);
    const seen = (await repo.get(T, c.deviceId))!;
    expect(seen.lastSeenAt).toBe(now);
    expect(seen.clientName).toHaveLength(200);
    expect(seen.clientName).not.toContain('\n');
    writes.mockRestore();
  });

  it('after a data-key rotation, re-hashes a device under the new key at its next sign-in', async () => {
    const c = await newDevice();
    const before = (await repo.credentialOf(c.deviceId))!;
    const newKey = randomBytes(32);
    expect(await authenticator([newKey, key]).authenticate(c.username, c.password, '198.51.100.9')).toMatchObject({ deviceId: c.deviceId });
    const after = (await repo.credentialOf(c.deviceId))!;
    expect(after.hashKeyId).not.toBe(before.hashKeyId);
    expect(await authenticator([newKey]).authenticate(c.username, c.password, '198.51.100.9')).toMatchObject({ deviceId: c.deviceId });
  });
});
