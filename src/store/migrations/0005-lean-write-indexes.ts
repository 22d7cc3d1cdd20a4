import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Drops two secondary indexes that every write paid for and that no frequent read needs.
 *
 * - `group_members_member` (tenant_id, member_id): member ids are random, so each link written
 *   dirtied its own page of this index: loading the 430,000 links of a 100,000-user tenant in
 *   transactions of one delta page each wrote about 415 pages per transaction, 2.5 GB of write-ahead
 *   log in all, against 42 MB without the index (measured with better-sqlite3 on the 2-core bench
 *   machine; the first round's time is in bench/REPORT.md, sync-ingest). Only deleting a user or a
 *   group looks links up by member, which is rare; those deletes now read the tenant's links once
 *   per 500 ids (at 100,000 users: 86 ms for one id, about 0.6 s for 500).
 * - `audience_contacts_contact` (tenant_id, contact_id): nothing reads an audience's contact set by
 *   contact id alone; every read goes through the (audience_id, contact_id) key.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.dropIndex('group_members_member').execute();
  await db.schema.dropIndex('audience_contacts_contact').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('group_members_member').on('group_members').columns(['tenant_id', 'member_id']).execute();
  await db.schema.createIndex('audience_contacts_contact').on('audience_contacts').columns(['tenant_id', 'contact_id']).execute();
}
