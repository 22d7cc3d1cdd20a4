import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config/config.js';
import type { DatabaseSchema } from './schema.js';

/** Opens the configured database as a typed Kysely handle. The only place that knows the drivers. */
export function openDatabase(config: StoreConfig): Kysely<DatabaseSchema> {
  if (config.kind === 'sqlite') {
    if (config.path !== ':memory:') fs.mkdirSync(path.dirname(config.path), { recursive: true });
    const sqlite = new SQLite(config.path);
    // WAL lets readers (CardDAV, tab API) proceed while a sync round writes; foreign keys make
    // tenant deletion cascade; busy_timeout covers the CLI writing while the server runs.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    // Checkpoint every 10,000 pages (40 MB of WAL) instead of SQLite's 1,000: each checkpoint ends
    // in an fsync, and a first round writing a 100k-user directory otherwise spends a fifth of its
    // time in them (bench/REPORT.md, sync-ingest).
    sqlite.pragma('wal_autocheckpoint = 10000');
    return new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 10,
    // int8 (bigint, bigserial) comes back as a string by default; our values (epoch ms, sequence
    // numbers) stay far below 2^53, so numbers are exact and match SQLite's.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}

/** Prepared statements kept per connection; queries with IN lists of many lengths must not grow it without bound. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query anew, and on better-sqlite3 preparing costs as much as running a
 * small query (a fifth of a CardDAV no-change sync's time in bench/carddav-load). Statements are
 * reusable once run to completion, which Kysely always does here (nothing streams with iterate()),
 * so the most recently used ones are kept by their SQL text.
 */
function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
