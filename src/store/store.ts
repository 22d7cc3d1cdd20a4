import { Migrator, sql, type Kysely } from 'kysely';
import type { StoreConfig } from '../config/config.js';
import { AuditRepository } from './audit-repository.js';
import { openDatabase } from './database.js';
import { migrationContext, migrationProvider } from './migrations/index.js';
import type { DatabaseSchema } from './schema.js';
import { TenantRepository } from './tenant-repository.js';

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/**
 * Switchboard's storage: one interface, two real backends (SQLite embedded, PostgreSQL for several
 * instances), the same repositories and migrations on both.
 */
export interface Store {
  readonly kind: StoreConfig['kind'];
  /** The typed query layer, for repositories in src/store; nothing outside src/store writes SQL. */
  readonly db: Kysely<DatabaseSchema>;
  readonly tenants: TenantRepository;
  readonly audit: AuditRepository;
  /** Applies pending migrations; safe to call from several instances at once (the migrator locks). */
  migrate(): Promise<MigrationStatus>;
  migrationStatus(): Promise<MigrationStatus>;
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openStore(config: StoreConfig): Store {
  return new KyselyStore(config.kind, openDatabase(config));
}

class KyselyStore implements Store {
  readonly tenants: TenantRepository;
  readonly audit: AuditRepository;
  private readonly migrator: Migrator;
  private closed = false;

  constructor(
    readonly kind: StoreConfig['kind'],
    readonly db: Kysely<DatabaseSchema>,
  ) {
    this.tenants = new TenantRepository(db);
    this.audit = new AuditRepository(db);
    this.migrator = new Migrator({ db, provider: migrationProvider(migrationContext(kind)) });
  }

  async migrate(): Promise<MigrationStatus> {
    const { error, results } = await this.migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`Database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return this.migrationStatus();
  }

  async migrationStatus(): Promise<MigrationStatus> {
    const all = await this.migrator.getMigrations();
    return {
      applied: all.filter((m) => m.executedAt).map((m) => m.name),
      pending: all.filter((m) => !m.executedAt).map((m) => m.name),
    };
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }
}
