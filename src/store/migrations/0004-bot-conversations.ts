import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The bot's personal conversation with each user, so it can write to them first (a device revoked by
 * an administrator, access gained or lost). One row per user: Teams has one personal chat between a
 * bot and a user. The reference holds ids and the service URL only, no names or other directory data,
 * so it is stored as plain JSON. `had_access` is what the user was last told (or saw) about receiving
 * contacts: the access watcher compares it with their audience. Cascades from `tenants`.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('bot_conversations')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('had_access', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bot_conversations_pk', ['tenant_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bot_conversations').execute();
}
