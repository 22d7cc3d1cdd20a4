import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import { openStore, type Store } from '../../src/store/store.js';
import { TokenCacheRepository } from '../../src/store/token-cache-repository.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const SECRET = 'refresh-token-0123456789-secret';

/** The token cache repository's contract, run on SQLite and on PostgreSQL. */
function describeTokenCacheRepository(name: string, open: () => Promise<{ store: Store; dispose: () => Promise<void> }>): void {
  describe(`TokenCacheRepository on ${name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let repo: TokenCacheRepository;

    beforeAll(async () => {
      ({ store, dispose } = await open());
      await store.migrate();
      await store.tenants.upsert(A, 'Tenant A');
      await store.tenants.upsert(B, 'Tenant B');
      repo = new TokenCacheRepository(store.db, new FieldCipher([randomBytes(32)]));
    });
    afterAll(async () => {
      await store.close();
      await dispose();
    });

    it('round-trips a partition and stores it only as ciphertext', async () => {
      await repo.put(`${A}/u1.${A}`, A, JSON.stringify({ RefreshToken: { k: { secret: SECRET } } }));
      expect(await repo.get(`${A}/u1.${A}`)).toEqual({ tenantId: A, data: JSON.stringify({ RefreshToken: { k: { secret: SECRET } } }) });
      const raw = await store.db.selectFrom('token_cache').select('data').where('partition_key', '=', `${A}/u1.${A}`).executeTakeFirstOrThrow();
      expect(Buffer.from(raw.data).includes(SECRET)).toBe(false);
      expect(await repo.get('no-such-partition')).toBeUndefined();
    });

    it('replaces a partition on put', async () => {
      await repo.put(`${A}/u1.${A}`, A, 'second');
      expect((await repo.get(`${A}/u1.${A}`))?.data).toBe('second');
    });

    it('never moves a partition to another tenant', async () => {
      await expect(repo.put(`${A}/u1.${A}`, B, 'stolen')).rejects.toThrow(/another tenant/);
      expect(await repo.get(`${A}/u1.${A}`)).toEqual({ tenantId: A, data: 'second' });
    });

    it('binds ciphertext to tenant and key: a row copied elsewhere does not decrypt', async () => {
      await repo.put(`${B}/u2.${B}`, B, 'tenant b data');
      const row = await store.db.selectFrom('token_cache').select('data').where('partition_key', '=', `${B}/u2.${B}`).executeTakeFirstOrThrow();
      await store.db.insertInto('token_cache').values({ partition_key: `${A}/copied`, tenant_id: A, data: row.data, updated_at: 0 }).execute();
      await expect(repo.get(`${A}/copied`)).rejects.toThrow();
      await repo.deletePartition(`${A}/copied`);
    });

    it('lists and deletes partitions per tenant, leaving other tenants alone', async () => {
      await repo.put(`${A}/u3.${A}`, A, 'x');
      expect(await repo.partitionKeys(A)).toEqual([`${A}/u1.${A}`, `${A}/u3.${A}`]);
      expect(await repo.deletePartition(`${A}/u3.${A}`)).toBe(true);
      expect(await repo.deletePartition(`${A}/u3.${A}`)).toBe(false);
      expect(await repo.deleteTenant(A)).toBe(1);
      expect(await repo.partitionKeys(A)).toEqual([]);
      expect(await repo.partitionKeys(B)).toEqual([`${B}/u2.${B}`]);
    });

    it('records whose grant sync uses, with the name sealed, and forgets it', async () => {
      expect(await repo.getSyncAccount(A)).toBeUndefined();
      const account = { homeAccountId: `u1.${A}`, name: 'Ethan Walker', isAdmin: true, grantedAt: new Date(1_000), lapse: null };
      await repo.setSyncAccount(A, account);
      expect(await repo.getSyncAccount(A)).toEqual(account);
      const raw = await store.db.selectFrom('tenants').select(['sync_account_id', 'sync_account']).where('id', '=', A).executeTakeFirstOrThrow();
      expect(raw.sync_account_id).toBe(`u1.${A}`);
      expect(Buffer.from(raw.sync_account!).toString('latin1')).not.toMatch(/Ethan|Walker/);
      const lapsed = { ...account, lapse: { at: new Date(2_000), reason: 'account-disabled', aadsts: 50057 } };
      await repo.setSyncAccount(A, lapsed);
      expect(await repo.getSyncAccount(A)).toEqual(lapsed);
      await repo.setSyncAccount(A, null);
      expect(await repo.getSyncAccount(A)).toBeUndefined();
    });

    it('refuses a sync account for an unknown tenant', async () => {
      await expect(repo.setSyncAccount('no-such-tenant', { homeAccountId: 'x', name: null, isAdmin: false, grantedAt: new Date(), lapse: null })).rejects.toThrow(/Unknown tenant/);
    });

    it('loses every partition when the tenant is deleted (cascade)', async () => {
      expect(await repo.partitionKeys(B)).toHaveLength(1);
      await store.tenants.delete(B);
      const left = await sql<{ n: number }>`select count(*) as n from token_cache where tenant_id = ${B}`.execute(store.db);
      expect(Number(left.rows[0]!.n)).toBe(0);
    });
  });
}

describeTokenCacheRepository('SQLite', async () => {
  const tmp = tempDir('token-cache-');
  return { store: openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'switchboard.db') }), dispose: async () => tmp.remove() };
});

describeTokenCacheRepository('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return { store: openStore({ kind: 'postgres', url: db.url }), dispose: db.drop };
});
