import type { Kysely, Selectable } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { DatabaseSchema, SyncRunsTable } from './schema.js';

/** Delta positions per kind; `photos` only records when every photo was last checked (updatedAt). */
export type SyncKind = 'users' | 'groups' | 'photos';

/** Where a tenant's delta rounds stand: the deltaLink to resume from, and a nextLink mid-round. */
export interface SyncPosition {
  deltaLink: string | null;
  nextLink: string | null;
}

export type SyncRun = Selectable<SyncRunsTable>;

/** Associated data of a sealed delta or next link. */
export function syncContext(tenantId: string, kind: string): string {
  return `${tenantId}:sync:${kind}`;
}

/**
 * Delta and next links (they carry Graph's sync state, so they are sealed like tokens) and the
 * history of sync runs for the admin page's sync health.
 */
export class SyncRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly cipher: FieldCipher,
  ) {}

  async position(tenantId: string, kind: SyncKind): Promise<SyncPosition & { updatedAt: number | null }> {
    const row = await this.db.selectFrom('sync_state').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', kind).executeTakeFirst();
    const open = (b: Buffer | null) => (b ? this.cipher.decrypt(Buffer.from(b), syncContext(tenantId, kind)).toString() : null);
    return { deltaLink: open(row?.delta_link ?? null), nextLink: open(row?.next_link ?? null), updatedAt: row?.updated_at ?? null };
  }

  async savePosition(tenantId: string, kind: SyncKind, position: SyncPosition, now = Date.now()): Promise<void> {
    const seal = (s: string | null) => (s ? this.cipher.encrypt(s, syncContext(tenantId, kind)) : null);
    const values = { delta_link: seal(position.deltaLink), next_link: seal(position.nextLink), updated_at: now };
    await this.db
      .insertInto('sync_state')
      .values({ tenant_id: tenantId, kind, ...values })
      .onConflict((oc) => oc.columns(['tenant_id', 'kind']).doUpdateSet(values))
      .execute();
  }

  /** Forgets every delta position: the next round is a full one. */
  async clearPositions(tenantId: string): Promise<void> {
    await this.db.deleteFrom('sync_state').where('tenant_id', '=', tenantId).execute();
  }

  async startRun(tenantId: string, trigger: SyncRun['trigger'], mode: SyncRun['mode'], now = Date.now()): Promise<number> {
    const row = await this.db.insertInto('sync_runs').values({ tenant_id: tenantId, trigger, mode, status: 'running', started_at: now, finished_at: null, error: null }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async finishRun(
    id: number,
    result: { status: 'succeeded' | 'failed'; graphRequests: number; throttled: number; usersChanged: number; groupsChanged: number; contactChanges: number; error?: string },
    now = Date.now(),
  ): Promise<void> {
    await this.db
      .updateTable('sync_runs')
      .set({
        status: result.status, finished_at: now, graph_requests: result.graphRequests, throttled: result.throttled,
        users_changed: result.usersChanged, groups_changed: result.groupsChanged, contact_changes: result.contactChanges, error: result.error ?? null,
      })
      .where('id', '=', id)
      .execute();
  }

  async recentRuns(tenantId: string, limit = 20): Promise<SyncRun[]> {
    return this.db.selectFrom('sync_runs').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit).execute();
  }
}
