import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-tenants-and-audit.js';
import * as m0002 from './0002-directory-and-sync.js';
import * as m0003 from './0003-devices.js';
import * as m0004 from './0004-bot-conversations.js';
import * as m0005 from './0005-lean-write-indexes.js';
import * as m0006 from './0006-feed-tables-without-rowid.js';

/** What a migration may need to know about the database it runs on: the few DDL spellings that differ. */
export interface MigrationContext {
  dialect: 'sqlite' | 'postgres';
  /** Type of an auto-numbered primary key column. */
  serialType: 'integer' | 'bigserial';
  serialColumn: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /** Type for opaque bytes (encrypted fields, photos). */
  bytesType: 'blob' | 'bytea';
}

interface MigrationModule {
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
  down?(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}

/** Ordered by name; a migration, once released, is never edited: add a new one. */
const MIGRATIONS: Record<string, MigrationModule> = {
  '0001-tenants-and-audit': m0001,
  '0002-directory-and-sync': m0002,
  '0003-devices': m0003,
  '0004-bot-conversations': m0004,
  '0005-lean-write-indexes': m0005,
  '0006-feed-tables-without-rowid': m0006,
};

export function migrationContext(dialect: 'sqlite' | 'postgres'): MigrationContext {
  return dialect === 'sqlite'
    ? { dialect, serialType: 'integer', serialColumn: (c) => c.primaryKey().autoIncrement(), bytesType: 'blob' }
    : { dialect, serialType: 'bigserial', serialColumn: (c) => c.primaryKey(), bytesType: 'bytea' };
}

export function migrationProvider(ctx: MigrationContext): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, mod] of Object.entries(MIGRATIONS)) {
        out[name] = {
          up: (db) => mod.up(db, ctx),
          ...(mod.down ? { down: (db: Kysely<unknown>) => mod.down!(db, ctx) } : {}),
        };
      }
      return out;
    },
  };
}
