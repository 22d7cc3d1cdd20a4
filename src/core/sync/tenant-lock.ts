import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../../store/schema.js';

/** Exactly one sync of a tenant at a time, across every instance sharing the store. */
export interface TenantLock {
  /** Runs `fn` if no one else holds the tenant's lock; otherwise returns `{ ran: false }` at once. */
  tryRun<T>(tenantId: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

/** SQLite serves one instance: a lock in this process is enough. */
export class InProcessTenantLock implements TenantLock {
  private readonly held = new Set<string>();

  async tryRun<T>(tenantId: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.held.has(tenantId)) return { ran: false };
    this.held.add(tenantId);
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.held.delete(tenantId);
    }
  }
}

/**
 * PostgreSQL session advisory locks, held on one pinned connection for the whole round. If the
 * instance dies, its connection closes and PostgreSQL releases the lock, so another instance takes
 * over at its next attempt and resumes from the last saved page.
 * https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export class PostgresTenantLock implements TenantLock {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async tryRun<T>(tenantId: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const key = `switchboard-sync:${tenantId}`;
    return this.db.connection().execute(async (conn) => {
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`.execute(conn);
      if (!got.rows[0]?.ok) return { ran: false as const };
      try {
        return { ran: true as const, value: await fn() };
      } finally {
        await sql`select pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(conn);
      }
    });
  }
}
