import type { AuditEntry, AuditRepository } from '../../store/audit-repository.js';

/** One audit entry as the admin page lists it. */
export interface AuditEntryView {
  id: number;
  at: string;
  actor: { id: string; name: string | null };
  action: string;
  target: string | null;
  /** Readable lines: what a policy save changed, or one line saying what was done. */
  changes: string[];
}

/**
 * What an entry did, in words. Policy saves store their readable changes with the new policy
 * (`after.changes`, see tenant-policy.ts); other actions get one line from their action and data.
 */
export function readableChanges(entry: Pick<AuditEntry, 'action' | 'target' | 'after'>): string[] {
  const after = typeof entry.after === 'object' && entry.after !== null ? (entry.after as Record<string, unknown>) : {};
  if (Array.isArray(after.changes) && after.changes.every((c) => typeof c === 'string')) {
    return after.changes.length > 0 ? after.changes : ['saved without changes'];
  }
  switch (entry.action) {
    case 'policy.update':
      return ['policy updated'];
    case 'sync.run':
      return [typeof after.runId === 'number' ? `started a sync round (run ${after.runId})` : 'started a sync round'];
    case 'device.revoke':
      return [`revoked device ${entry.target ?? ''}`.trim()];
    case 'device.revoke-all': {
      const n = typeof after.revoked === 'number' ? after.revoked : undefined;
      const what = n === undefined ? 'every device' : n === 1 ? '1 device' : `${n} devices`;
      return [`revoked ${what} of user ${entry.target ?? 'unknown'}`];
    }
    default:
      return [entry.target ? `${entry.action} (${entry.target})` : entry.action];
  }
}

/**
 * A page of the tenant's audit log, newest first (`limit` at most 500, the repository's page). `nextBefore`
 * is the id to pass as `before` for older entries, or null when there are none.
 */
export async function auditPage(
  audit: Pick<AuditRepository, 'list'>,
  tenantId: string,
  page: { before?: number; limit: number },
): Promise<{ entries: AuditEntryView[]; nextBefore: number | null }> {
  const rows = await audit.list(tenantId, { ...(page.before !== undefined ? { beforeId: page.before } : {}), limit: page.limit });
  const last = rows.length === page.limit ? rows.at(-1) : undefined;
  // A full page may be the last one: look for one older entry rather than send the tab to an empty page.
  const older = last !== undefined && (await audit.list(tenantId, { beforeId: last.id, limit: 1 })).length > 0;
  return {
    entries: rows.map((e) => ({ id: e.id, at: e.at.toISOString(), actor: e.actor, action: e.action, target: e.target, changes: readableChanges(e) })),
    nextBefore: older ? last.id : null,
  };
}
