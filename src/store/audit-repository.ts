import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/** One change to a tenant's configuration: who, when, what, and the state before and after. */
export interface AuditEntry {
  id: number;
  tenantId: string;
  at: Date;
  actor: { id: string; name: string | null };
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: Date };

export class AuditRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async append(entry: NewAuditEntry): Promise<number> {
    const row = await this.db
      .insertInto('audit_log')
      .values({
        tenant_id: entry.tenantId,
        at: (entry.at ?? new Date()).getTime(),
        actor_id: entry.actor.id,
        actor_name: entry.actor.name,
        action: entry.action,
        target: entry.target,
        before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
        after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Newest first; `beforeId` pages backwards through older entries. Always scoped to one tenant. */
  async list(tenantId: string, options: { beforeId?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    let query = this.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
    if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
    const rows = await query.orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      at: new Date(r.at),
      actor: { id: r.actor_id, name: r.actor_name },
      action: r.action,
      target: r.target,
      before: r.before_json === null ? undefined : JSON.parse(r.before_json),
      after: r.after_json === null ? undefined : JSON.parse(r.after_json),
    }));
  }
}
