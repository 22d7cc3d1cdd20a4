import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Devices (CardDAV credentials) and their single-use enrollment links. Neither table holds a usable
 * secret: device secrets and link tokens are stored only as keyed hashes, and the one sealed value
 * (a redeemed device's secret, waiting for its profile download) is sealed under a key the database
 * never sees. Both cascade from `tenants`.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const tenantFk = (c: ColumnDefinitionBuilder) => c.notNull().references('tenants.id').onDelete('cascade');

  await db.schema
    .createTable('devices')
    // The device id is the CardDAV user name, looked up on every request without a tenant: global key.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('secret_hash', ctx.bytesType)
    .addColumn('hash_key_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint')
    .addColumn('client_name', 'text')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('devices_owner').on('devices').columns(['tenant_id', 'user_id']).execute();

  await db.schema
    .createTable('device_enrollments')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', tenantFk)
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('device_id', 'text')
    .addColumn('download_hash', 'text')
    .addColumn('download_sealed', ctx.bytesType)
    .addColumn('download_expires_at', 'bigint')
    .execute();
  // Housekeeping deletes old links by expiry across tenants.
  await db.schema.createIndex('device_enrollments_expiry').on('device_enrollments').columns(['expires_at']).execute();
  await db.schema.createIndex('device_enrollments_tenant').on('device_enrollments').columns(['tenant_id', 'user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_enrollments').execute();
  await db.schema.dropTable('devices').execute();
}
