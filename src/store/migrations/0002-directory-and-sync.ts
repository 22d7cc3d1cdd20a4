import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The sync core's tables. Directory fields and tokens are stored only as AES-256-GCM ciphertext
 * (`data` columns); the few plain columns are flags and ids the policy and indexes need. Every table
 * is keyed by tenant first and cascades from `tenants`, so deleting a tenant removes all its rows.
 * Booleans are 0/1 integers so both databases read them alike.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const bytes = ctx.bytesType;
  const tenantFk = (c: ColumnDefinitionBuilder) => c.notNull().references('tenants.id').onDelete('cascade');

  await db.schema.alterTable('tenants').addColumn('contact_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('tenants').addColumn('sync_account_id', 'text').execute();
  // Whose grant background sync runs on: name, admin or not, lapse reason, sealed (names are directory data).
  await db.schema.alterTable('tenants').addColumn('sync_account', bytes).execute();

  await db.schema
    .createTable('directory_users')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('account_enabled', 'integer', (c) => c.notNull())
    .addColumn('is_guest', 'integer', (c) => c.notNull())
    .addColumn('is_licensed', 'integer', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull())
    .addColumn('has_mail', 'integer', (c) => c.notNull())
    .addColumn('photo_hash', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_users_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('directory_photos')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_photos_pk', ['tenant_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('directory_groups')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('security_enabled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_groups_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('member_type', 'text', (c) => c.notNull())
    // When a full round last saw the link: links not seen by a completed full round are stale.
    .addColumn('synced_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['tenant_id', 'group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('group_members_member').on('group_members').columns(['tenant_id', 'member_id']).execute();

  await db.schema
    .createTable('sync_state')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('delta_link', bytes)
    .addColumn('next_link', bytes)
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_state_pk', ['tenant_id', 'kind'])
    .execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', ctx.serialType, (c) => ctx.serialColumn(c))
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('graph_requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('throttled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('users_changed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('groups_changed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('contact_changes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('sync_runs_tenant').on('sync_runs').columns(['tenant_id', 'id']).execute();

  await db.schema
    .createTable('tenant_policies')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('policy_json', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  // msal-node's token cache, one partition per account, sealed with the data key.
  await db.schema
    .createTable('token_cache')
    .addColumn('partition_key', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('token_cache_tenant').on('token_cache').columns(['tenant_id']).execute();

  // An audience is the set of users who see the same contacts: those in the same policy groups.
  await db.schema
    .createTable('audiences')
    .addColumn('id', ctx.serialType, (c) => ctx.serialColumn(c))
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('groups_json', 'text', (c) => c.notNull())
    .addUniqueConstraint('audiences_tenant_key', ['tenant_id', 'key'])
    .execute();

  await db.schema
    .createTable('audience_contacts')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('audience_id', 'bigint', (c) => c.notNull().references('audiences.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audience_contacts_pk', ['audience_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('audience_contacts_contact').on('audience_contacts').columns(['tenant_id', 'contact_id']).execute();

  await db.schema
    .createTable('user_audiences')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('audience_id', 'bigint', (c) => c.notNull().references('audiences.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_audiences_pk', ['tenant_id', 'user_id'])
    .execute();

  // The change feed: per audience, numbered by the tenant's contact_seq. A device's sync token is a
  // position in its audience's feed.
  await db.schema
    .createTable('contact_changes')
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('audience_id', 'bigint', (c) => c.notNull().references('audiences.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_changes_pk', ['audience_id', 'seq', 'contact_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['contact_changes', 'user_audiences', 'audience_contacts', 'audiences', 'token_cache', 'tenant_policies', 'sync_runs', 'sync_state', 'group_members', 'directory_groups', 'directory_photos', 'directory_users']) {
    await db.schema.dropTable(t).execute();
  }
}
