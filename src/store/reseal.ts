import { sql, type Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { directoryContext } from './directory-repository.js';
import type { DatabaseSchema } from './schema.js';
import { syncContext } from './sync-repository.js';
import { cacheContext, syncAccountContext } from './token-cache-repository.js';

/** A sealed column: where it is, how its rows are keyed, and the associated data each value was sealed with. */
interface SealedColumn {
  table: keyof DatabaseSchema;
  column: string;
  keys: string[];
  context: (row: Record<string, string>) => string;
  extra?: string[];
}

/** Every column that holds ciphertext. A new sealed column must be added here, or rotation misses it. */
const SEALED: SealedColumn[] = [
  { table: 'directory_users', column: 'data', keys: ['tenant_id', 'id'], context: (r) => directoryContext(r.tenant_id!, 'user', r.id!) },
  { table: 'directory_groups', column: 'data', keys: ['tenant_id', 'id'], context: (r) => directoryContext(r.tenant_id!, 'group', r.id!) },
  { table: 'directory_photos', column: 'data', keys: ['tenant_id', 'user_id'], context: (r) => directoryContext(r.tenant_id!, 'photo', r.user_id!) },
  { table: 'sync_state', column: 'delta_link', keys: ['tenant_id', 'kind'], context: (r) => syncContext(r.tenant_id!, r.kind!) },
  { table: 'sync_state', column: 'next_link', keys: ['tenant_id', 'kind'], context: (r) => syncContext(r.tenant_id!, r.kind!) },
  { table: 'token_cache', column: 'data', keys: ['partition_key'], extra: ['tenant_id'], context: (r) => cacheContext(r.tenant_id!, r.partition_key!) },
  { table: 'tenants', column: 'sync_account', keys: ['id'], extra: ['sync_account_id'], context: (r) => syncAccountContext(r.id!, r.sync_account_id!) },
];

const PAGE = 500;

/**
 * Key rotation, second half: re-seals every value still sealed under a previous key with the current
 * one, a page at a time (keyset pagination), so the old key can then be removed from the
 * configuration. Values already under the current key are left alone, so it can be run again safely.
 */
export async function resealAll(db: Kysely<DatabaseSchema>, cipher: FieldCipher): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const col of SEALED) {
    let resealed = 0;
    let after: string[] | undefined;
    for (;;) {
      const columns = [...col.keys, ...(col.extra ?? []), col.column];
      const cursor = after ? sql`and (${sql.join(col.keys.map((k) => sql.ref(k)))}) > (${sql.join(after)})` : sql``;
      const { rows } = await sql<Record<string, unknown>>`
        select ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(col.table)}
        where ${sql.ref(col.column)} is not null ${cursor}
        order by ${sql.join(col.keys.map((k) => sql.ref(k)))} limit ${PAGE}`.execute(db);
      for (const row of rows) {
        const sealed = Buffer.from(row[col.column] as Uint8Array);
        if (!cipher.isStale(sealed)) continue;
        const fresh = cipher.reseal(sealed, col.context(row as Record<string, string>));
        const where = sql.join(col.keys.map((k) => sql`${sql.ref(k)} = ${row[k] as string}`), sql` and `);
        await sql`update ${sql.table(col.table)} set ${sql.ref(col.column)} = ${fresh} where ${where}`.execute(db);
        resealed++;
      }
      if (rows.length < PAGE) break;
      after = col.keys.map((k) => String(rows[rows.length - 1]![k]));
    }
    counts[`${col.table}.${col.column}`] = resealed;
  }
  return counts;
}
