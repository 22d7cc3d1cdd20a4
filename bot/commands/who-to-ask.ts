import type { AuditRepository } from '../../src/store/audit-repository.js';
import type { TokenCacheRepository } from '../../src/store/token-cache-repository.js';

export interface WhoToAskDeps {
  audit: Pick<AuditRepository, 'list'>;
  syncAccounts: Pick<TokenCacheRepository, 'getSyncAccount'>;
}

/** How far back the audit log is read for the last policy change: one page, newest first. */
const AUDIT_PAGE = 100;

/**
 * The people a user without access should ask, by name: whoever last changed the group policy (they
 * choose who receives contacts), then the administrator whose sign-in the directory sync runs on.
 * Empty when neither is known; the reply then names the role instead.
 */
export async function whoToAsk(deps: WhoToAskDeps, tenantId: string): Promise<string[]> {
  const names: string[] = [];
  const add = (name: string | null | undefined) => {
    const trimmed = name?.trim();
    if (trimmed && !names.includes(trimmed)) names.push(trimmed);
  };
  const entries = await deps.audit.list(tenantId, { limit: AUDIT_PAGE });
  add(entries.find((e) => e.action === 'policy.update')?.actor.name);
  const account = await deps.syncAccounts.getSyncAccount(tenantId);
  if (account?.isAdmin && !account.lapse) add(account.name);
  return names;
}
