import path from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { migrationContext, migrationProvider } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('SQLite (better-sqlite3)', async () => {
  const tmp = tempDir();
  return { store: openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'nested', 'store.db') }), dispose: async () => tmp.remove() };
});

const TENANT = '11111111-1111-1111-1111-111111111111';
const OTHER = '22222222-2222-2222-2222-222222222222';

describe('SQLite migration 0006: the feed tables become WITHOUT ROWID tables', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('keeps every row, the keys and the tenant cascade, and migrates back down', async () => {
    const store = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'upgrade.db') });
    const db = store.db as unknown as Kysely<any>;
    const migrator = new Migrator({ db, provider: migrationProvider(migrationContext('sqlite')) });
    try {
      expect((await migrator.migrateTo('0005-lean-write-indexes')).error).toBeUndefined();
      await store.tenants.upsert(TENANT, 'Contoso');
      await store.tenants.upsert(OTHER, 'Fabrikam');
      const feed = (t: string) => new FeedRepository(store.db).createAudience(t, 'k', ['g']);
      const [a, b] = [await feed(TENANT), await feed(OTHER)];
      await db.insertInto('audience_contacts').values([{ tenant_id: TENANT, audience_id: a, contact_id: 'u1', seq: 1 }, { tenant_id: OTHER, audience_id: b, contact_id: 'u1', seq: 2 }]).execute();
      await db.insertInto('user_audiences').values([{ tenant_id: TENANT, user_id: 'u1', audience_id: a }, { tenant_id: OTHER, user_id: 'u1', audience_id: b }]).execute();
      await db.insertInto('contact_changes').values([{ tenant_id: TENANT, audience_id: a, seq: 1, contact_id: 'u1', op: 'upsert' }, { tenant_id: OTHER, audience_id: b, seq: 2, contact_id: 'u1', op: 'upsert' }]).execute();
      const snapshot = async () => Object.fromEntries(await Promise.all(['audience_contacts', 'user_audiences', 'contact_changes'].map(async (t) => [t, await db.selectFrom(t).selectAll().orderBy('tenant_id').execute()])));
      const before = await snapshot();

      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const tables = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'table' and name in ('audience_contacts', 'user_audiences', 'contact_changes')`.execute(db);
      expect(tables.rows).toHaveLength(3);
      for (const t of tables.rows) expect(t.sql, t.name).toMatch(/without rowid$/i);
      expect(await snapshot()).toEqual(before);
      // The key still holds, and foreign keys still cascade from the tenant.
      await expect(db.insertInto('audience_contacts').values({ tenant_id: TENANT, audience_id: a, contact_id: 'u1', seq: 9 }).execute()).rejects.toThrow(/UNIQUE|PRIMARY KEY/);
      await expect(db.insertInto('user_audiences').values({ tenant_id: TENANT, user_id: 'u2', audience_id: 999 }).execute()).rejects.toThrow(/FOREIGN KEY/);
      await db.deleteFrom('tenants').where('id', '=', OTHER).execute();
      const after = await snapshot();
      for (const rows of Object.values(after)) expect((rows as { tenant_id: string }[]).map((r) => r.tenant_id)).toEqual([TENANT]);

      expect((await migrator.migrateTo('0005-lean-write-indexes')).error).toBeUndefined();
      expect(await snapshot()).toEqual(after);
      const restored = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'contact_changes'`.execute(db);
      expect(restored.rows[0]!.sql).not.toMatch(/without rowid/i);
    } finally {
      await store.close();
    }
  });
});
