import type { BotCaller } from './caller.js';
import type { CommandDeps } from './deps.js';
import type { Reply, TenantProblem } from './replies.js';
import { whoToAsk } from './who-to-ask.js';

/**
 * Whether the caller's organisation can use Switchboard: it must be known (someone signed in to the
 * tab, which records the tenant) and have granted admin consent, without which nothing is synced.
 */
export async function tenantProblem(deps: Pick<CommandDeps, 'tenants'>, caller: BotCaller): Promise<TenantProblem | undefined> {
  const tenant = await deps.tenants.get(caller.tenantId);
  if (!tenant) return 'unknown-tenant';
  return tenant.consentState === 'granted' ? undefined : 'no-consent';
}

/**
 * The refusal for a user in none of the configured groups, naming whom to ask. Until the tenant's
 * first sync round has succeeded nobody is in any audience, so the refusal says to wait instead.
 */
export async function noAccess(deps: Pick<CommandDeps, 'admins' | 'syncRuns'>, caller: BotCaller): Promise<Reply> {
  const [askWhom, runs] = await Promise.all([whoToAsk(deps.admins, caller.tenantId), deps.syncRuns.recentRuns(caller.tenantId, 20)]);
  return { kind: 'no-access', askWhom, firstSyncPending: !runs.some((r) => r.status === 'succeeded') };
}
