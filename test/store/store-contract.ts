import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import { DeviceRepository } from '../../src/store/device-repository.js';
import { DirectoryRepository } from '../../src/store/directory-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { PolicyRepository } from '../../src/store/policy-repository.js';
import type { DatabaseSchema } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { resealAll } from '../../src/store/reseal.js';
import { SyncRepository } from '../../src/store/sync-repository.js';
import { TokenCacheRepository } from '../../src/store/token-cache-repository.js';

/**
 * The behaviour every Store backend must show. Each backend's test file calls this with a factory for
 * a fresh, unmigrated store, as sabre/dav's AbstractPDOTestCase and xandikos's BaseStoreTest do.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<{ store: Store; dispose: () => Promise<void> }>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, dispose } = await makeStore());
    });
    afterAll(async () => {
      await store.close();
      await dispose();
    });

    it('reports every migration pending before migrate, none after, and migrate is idempotent', async () => {
      const before = await store.migrationStatus();
      expect(before.applied).toEqual([]);
      expect(before.pending.length).toBeGreaterThan(0);
      const after = await store.migrate();
      expect(after.pending).toEqual([]);
      expect(after.applied).toEqual(before.pending);
      expect(await store.migrate()).toEqual(after);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('creates a tenant on first upsert and keeps its creation time and name on later ones', async () => {
      const created = await store.tenants.upsert('11111111-1111-1111-1111-111111111111', 'Contoso', 1_000);
      expect(created).toMatchObject({ displayName: 'Contoso', consentState: 'unknown' });
      expect(created.createdAt.getTime()).toBe(1_000);
      const again = await store.tenants.upsert('11111111-1111-1111-1111-111111111111', null, 2_000);
      expect(again.displayName).toBe('Contoso');
      expect(again.createdAt.getTime()).toBe(1_000);
      expect(again.updatedAt.getTime()).toBe(2_000);
      const renamed = await store.tenants.upsert('11111111-1111-1111-1111-111111111111', 'Contoso Ltd', 3_000);
      expect(renamed.displayName).toBe('Contoso Ltd');
    });

    it('records consent state', async () => {
      await store.tenants.setConsentState('11111111-1111-1111-1111-111111111111', 'granted');
      expect((await store.tenants.get('11111111-1111-1111-1111-111111111111'))?.consentState).toBe('granted');
    });

    it('returns undefined for an unknown tenant and lists tenants in id order', async () => {
      expect(await store.tenants.get('no-such-tenant')).toBeUndefined();
      await store.tenants.upsert('00000000-0000-0000-0000-000000000000', 'Fabrikam');
      expect((await store.tenants.list()).map((t) => t.displayName)).toEqual(['Fabrikam', 'Contoso Ltd']);
    });

    it('keeps audit entries per tenant, newest first, with before/after round-tripped', async () => {
      const contoso = '11111111-1111-1111-1111-111111111111';
      const fabrikam = '00000000-0000-0000-0000-000000000000';
      const first = await store.audit.append({
        tenantId: contoso,
        at: new Date(5_000),
        actor: { id: 'admin-oid', name: 'Megan Bowen' },
        action: 'policy.update',
        target: 'policy',
        before: { groups: [] },
        after: { groups: ['g1', 'g2'], note: 'emoji ✓ and "quotes"' },
      });
      const second = await store.audit.append({ tenantId: contoso, actor: { id: 'admin-oid', name: null }, action: 'sync.run', target: null, before: undefined, after: undefined });
      await store.audit.append({ tenantId: fabrikam, actor: { id: 'other', name: 'Other' }, action: 'policy.update', target: null, before: null, after: {} });
      expect(second).toBeGreaterThan(first);

      const entries = await store.audit.list(contoso);
      expect(entries.map((e) => e.id)).toEqual([second, first]);
      expect(entries[1]).toMatchObject({
        tenantId: contoso,
        actor: { id: 'admin-oid', name: 'Megan Bowen' },
        action: 'policy.update',
        before: { groups: [] },
        after: { groups: ['g1', 'g2'], note: 'emoji ✓ and "quotes"' },
      });
      expect(entries[1]!.at.getTime()).toBe(5_000);
      expect(entries[0]!.before).toBeUndefined();
      expect(await store.audit.list(contoso, { beforeId: second })).toHaveLength(1);
      expect((await store.audit.list(fabrikam)).every((e) => e.tenantId === fabrikam)).toBe(true);
    });

    it('deleting a tenant removes its audit log and nothing of other tenants', async () => {
      const contoso = '11111111-1111-1111-1111-111111111111';
      expect(await store.tenants.delete(contoso)).toBe(true);
      expect(await store.tenants.get(contoso)).toBeUndefined();
      expect(await store.audit.list(contoso)).toEqual([]);
      expect(await store.audit.list('00000000-0000-0000-0000-000000000000')).toHaveLength(1);
      expect(await store.tenants.delete(contoso)).toBe(false);
    });

    it('deleting a tenant removes every row it owns in every table, and no other tenant\'s', async () => {
      const cipher = new FieldCipher([randomBytes(32)]);
      const fill = async (tenantId: string) => {
        await store.tenants.upsert(tenantId, tenantId);
        const dir = new DirectoryRepository(store.db, cipher);
        await dir.upsertUsers(tenantId, [{ id: 'u1', data: { displayName: 'A' }, accountEnabled: true, isGuest: false, isLicensed: true, hidden: false, hasMail: true, photoHash: null }], 1);
        await dir.setPhoto(tenantId, 'u1', { contentType: 'image/png', bytes: Buffer.from('png'), hash: 'h' });
        await dir.upsertGroups(tenantId, [{ id: 'g1', data: { displayName: 'G' }, securityEnabled: true }], 1);
        await dir.addMembers(tenantId, 'g1', [{ id: 'u1', type: 'user' }], 1);
        await new SyncRepository(store.db, cipher).savePosition(tenantId, 'users', { deltaLink: 'https://graph/delta?$deltatoken=x', nextLink: null });
        await new SyncRepository(store.db, cipher).startRun(tenantId, 'manual', 'full');
        await new PolicyRepository(store.db).save(tenantId, { version: 1 }, 0, 'admin');
        await store.db.insertInto('token_cache').values({ partition_key: `p-${tenantId}`, tenant_id: tenantId, data: Buffer.from('x'), updated_at: 1 }).execute();
        const feed = new FeedRepository(store.db);
        const audience = await feed.createAudience(tenantId, `k-${tenantId}`, ['g1']);
        await feed.applyChanges(tenantId, audience, [{ seq: await feed.allocateSeq(tenantId, 1), contactId: 'u1', op: 'upsert' }]);
        await feed.setUserAudiences(tenantId, [['u1', audience]], []);
        await store.audit.append({ tenantId, actor: { id: 'a', name: null }, action: 'policy.update', target: null, before: null, after: null });
        const devices = new DeviceRepository(store.db);
        await devices.insertDevice({ id: `dev-${tenantId}`, tenantId, userId: 'u1', displayName: 'Phone', platform: 'iphone', secretHash: Buffer.alloc(32), hashKeyId: 1, createdAt: 1 });
        await devices.createEnrollment({ tokenHash: `tok-${tenantId}`, tenantId, userId: 'u1', createdAt: 1, expiresAt: 2 });
      };
      await fill('tenant-gone');
      await fill('tenant-kept');
      expect(await store.tenants.delete('tenant-gone')).toBe(true);
      const tables = ['directory_users', 'directory_photos', 'directory_groups', 'group_members', 'sync_state', 'sync_runs', 'tenant_policies', 'token_cache', 'audiences', 'audience_contacts', 'user_audiences', 'contact_changes', 'audit_log', 'devices', 'device_enrollments'] as const;
      for (const table of tables) {
        const count = async (tenantId: string) =>
          Number((await store.db.selectFrom(table as keyof DatabaseSchema).select((eb) => eb.fn.countAll().as('n')).where('tenant_id' as never, '=', tenantId as never).executeTakeFirstOrThrow()).n);
        expect(await count('tenant-gone'), table).toBe(0);
        expect(await count('tenant-kept'), table).toBeGreaterThan(0);
      }
      await store.tenants.delete('tenant-kept');
    });

    it('key rotation: reseal moves every sealed value to the new key, after which the old key is not needed', async () => {
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      const before = new FieldCipher([oldKey]);
      const tenantId = 'tenant-rotating';
      await store.tenants.upsert(tenantId, null);
      const dir = new DirectoryRepository(store.db, before);
      await dir.upsertUsers(tenantId, [{ id: 'u1', data: { displayName: 'Zoë' }, accountEnabled: true, isGuest: false, isLicensed: true, hidden: false, hasMail: true, photoHash: null }], 1);
      await dir.upsertGroups(tenantId, [{ id: 'g1', data: { displayName: 'G' }, securityEnabled: true }], 1);
      await dir.setPhoto(tenantId, 'u1', { contentType: 'image/png', bytes: Buffer.from('png-bytes'), hash: 'h' });
      await new SyncRepository(store.db, before).savePosition(tenantId, 'users', { deltaLink: 'https://graph/delta?$deltatoken=1', nextLink: '{"link":"x"}' });
      const tokens = new TokenCacheRepository(store.db, before);
      await tokens.put('p-rot', tenantId, '{"RefreshToken":{}}');
      await tokens.setSyncAccount(tenantId, { homeAccountId: 'h.t', name: 'Zoë', isAdmin: true, grantedAt: new Date(5), lapse: null });

      const rotating = new FieldCipher([newKey, oldKey]);
      const counts = await resealAll(store.db, rotating);
      for (const column of ['directory_users.data', 'directory_groups.data', 'directory_photos.data', 'sync_state.delta_link', 'sync_state.next_link', 'token_cache.data', 'tenants.sync_account']) {
        expect(counts[column], column).toBeGreaterThanOrEqual(1);
      }
      expect(Object.values(await resealAll(store.db, rotating)).every((n) => n === 0)).toBe(true);

      const after = new FieldCipher([newKey]);
      expect((await new DirectoryRepository(store.db, after).getUsers(tenantId, ['u1']))[0]!.data).toEqual({ displayName: 'Zoë' });
      expect((await new DirectoryRepository(store.db, after).getPhoto(tenantId, 'u1'))!.bytes.toString()).toBe('png-bytes');
      expect((await new SyncRepository(store.db, after).position(tenantId, 'users')).deltaLink).toBe('https://graph/delta?$deltatoken=1');
      expect((await new TokenCacheRepository(store.db, after).get('p-rot'))!.data).toBe('{"RefreshToken":{}}');
      expect((await new TokenCacheRepository(store.db, after).getSyncAccount(tenantId))!.name).toBe('Zoë');
      await store.tenants.delete(tenantId);
    });

    it('refuses an audit entry for a tenant that does not exist', async () => {
      await expect(
        store.audit.append({ tenantId: 'ghost', actor: { id: 'x', name: null }, action: 'policy.update', target: null, before: null, after: null }),
      ).rejects.toThrow();
    });
  });
}
