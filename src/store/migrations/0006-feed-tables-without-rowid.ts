import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

interface FeedTable {
  name: string;
  columns: [name: string, type: 'text' | 'bigint', extra?: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder][];
  key: string[];
}

const tenantFk = (c: ColumnDefinitionBuilder) => c.notNull().references('tenants.id').onDelete('cascade');
const audienceFk = (c: ColumnDefinitionBuilder) => c.notNull().references('audiences.id').onDelete('cascade');
const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/** As 0002 created them, column for column. */
const TABLES: FeedTable[] = [
  {
    name: 'audience_contacts',
    columns: [['tenant_id', 'text', tenantFk], ['audience_id', 'bigint', audienceFk], ['contact_id', 'text', notNull], ['seq', 'bigint', notNull]],
    key: ['audience_id', 'contact_id'],
  },
  {
    name: 'user_audiences',
    columns: [['tenant_id', 'text', tenantFk], ['user_id', 'text', notNull], ['audience_id', 'bigint', audienceFk]],
    key: ['tenant_id', 'user_id'],
  },
  {
    name: 'contact_changes',
    columns: [['tenant_id', 'text', tenantFk], ['audience_id', 'bigint', audienceFk], ['seq', 'bigint', notNull], ['contact_id', 'text', notNull], ['op', 'text', notNull]],
    key: ['audience_id', 'seq', 'contact_id'],
  },
];

/**
 * On SQLite, the three tables every CardDAV request reads (which audience a user is in, the versions
 * of an audience's cards, its change feed) become WITHOUT ROWID tables: their rows are small and
 * always found by their key, so the row now lives in the key's B-tree instead of behind it in a
 * second one. A lookup descends one tree instead of two (a multiget of 100 cards in a 10,000-card
 * book probes the contact set 100 times), and each row written updates one tree instead of two.
 * https://sqlite.org/withoutrowid.html
 *
 * PostgreSQL has no such distinction (its tables are heaps with separate indexes): nothing changes there.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect !== 'sqlite') return;
  for (const t of TABLES) await rebuild(db, t, true);
}

export async function down(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect !== 'sqlite') return;
  for (const t of TABLES) await rebuild(db, t, false);
}

/** SQLite cannot change a table's storage in place: create the new form, copy, drop, rename. */
async function rebuild(db: Kysely<unknown>, t: FeedTable, withoutRowid: boolean): Promise<void> {
  const next = `${t.name}_next`;
  let create = db.schema.createTable(next);
  for (const [name, type, extra] of t.columns) create = create.addColumn(name, type, extra ?? ((c) => c));
  // The builder types key columns from columns added in literal calls; these come from the table list.
  create = create.addPrimaryKeyConstraint(`${t.name}_pk`, t.key as never[]);
  await (withoutRowid ? create.modifyEnd(sql`without rowid`) : create).execute();
  const columns = sql.join(t.columns.map(([name]) => sql.ref(name)));
  await sql`insert into ${sql.table(next)} (${columns}) select ${columns} from ${sql.table(t.name)}`.execute(db);
  await db.schema.dropTable(t.name).execute();
  await db.schema.alterTable(next).renameTo(t.name).execute();
}
