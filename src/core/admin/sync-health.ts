import type { Logger } from '../../log/logger.js';
import type { AuditRepository } from '../../store/audit-repository.js';
import { DirectoryRepository } from '../../store/directory-repository.js';
import { SyncRepository, type SyncRun } from '../../store/sync-repository.js';
import type { TenantRepository } from '../../store/tenant-repository.js';
import type { SyncAccount } from '../../store/token-cache-repository.js';
import type { SyncRunner } from '../sync/sync-runner.js';
import { loadPolicy } from '../tenant-policy.js';
import type { SyncHealth, SyncRunView } from './admin-views.js';
import type { AdminDirectoryDeps } from './group-search.js';
import { groupNamesOf, policyGroupIds } from './policy-admin.js';

export interface SyncHealthDeps extends AdminDirectoryDeps {
  tenants: Pick<TenantRepository, 'get'>;
  /** Whose grant background sync runs on (DelegatedTokens.syncAccount). */
  syncAccount: (tenantId: string) => Promise<SyncAccount | undefined>;
  /** Active devices per user (DevicesService.deviceCounts). */
  deviceCounts: (tenantId: string) => Promise<{ devices: number }[]>;
}

export const RECENT_RUNS = 20;

export function syncRunView(run: SyncRun): SyncRunView {
  return {
    id: run.id,
    trigger: run.trigger,
    mode: run.mode,
    status: run.status,
    startedAt: new Date(run.started_at).toISOString(),
    finishedAt: run.finished_at === null ? null : new Date(run.finished_at).toISOString(),
    durationMs: run.finished_at === null ? null : run.finished_at - run.started_at,
    graphRequests: run.graph_requests,
    throttled: run.throttled,
    usersChanged: run.users_changed,
    groupsChanged: run.groups_changed,
    contactChanges: run.contact_changes,
    error: run.error,
  };
}

/**
 * The tenant's sync health for the admin page: consent, whose grant the sync runs on (and whether it
 * lapsed), the last rounds, directory and device counts, and the policy's groups that the directory
 * no longer holds (deleted in Entra: they simply have no members, which an administrator should know).
 *
 * `running` reads the newest run record, so every instance sharing the store agrees; a round cut off
 * by a crash shows as running until the next round starts.
 */
export async function syncHealth(deps: SyncHealthDeps, tenantId: string): Promise<SyncHealth> {
  const directory = new DirectoryRepository(deps.db, deps.cipher);
  const [tenant, account, runs, users, groups, devices, { policy }] = await Promise.all([
    deps.tenants.get(tenantId),
    deps.syncAccount(tenantId),
    new SyncRepository(deps.db, deps.cipher).recentRuns(tenantId, RECENT_RUNS),
    directory.countUsers(tenantId),
    directory.countGroups(tenantId),
    deps.deviceCounts(tenantId),
    loadPolicy(deps, tenantId),
  ]);
  const names = await groupNamesOf(deps, tenantId, policyGroupIds(policy));
  return {
    consent: tenant?.consentState ?? 'unknown',
    syncAccount: account ? { name: account.name, isAdmin: account.isAdmin, lapsed: account.lapse?.reason ?? null } : null,
    running: runs[0]?.status === 'running',
    runs: runs.map(syncRunView),
    directory: { users, groups },
    devices: { users: devices.length, devices: devices.reduce((n, d) => n + d.devices, 0) },
    missingGroups: Object.keys(names).filter((id) => names[id] === null),
  };
}

/** A round of the tenant is under way (from the schedule, a sign-in, or another administrator). */
export class SyncAlreadyRunning extends Error {
  constructor(readonly tenantId: string) {
    super('A sync round of this tenant is already under way; its result will show in the sync history.');
    this.name = 'SyncAlreadyRunning';
  }
}

export interface StartSyncDeps {
  runner: Pick<SyncRunner, 'run'>;
  audit: Pick<AuditRepository, 'append'>;
  logger: Pick<Logger, 'error'>;
}

/**
 * "Sync now": starts a manual round and returns once it holds the tenant's lock and has its run
 * record (so the history already lists it), leaving the round to finish in the background. Audited
 * as `sync.run`.
 * @throws SyncAlreadyRunning when a round is under way
 */
export async function startManualSync(deps: StartSyncDeps, tenantId: string, actor: { id: string; name: string | null }): Promise<{ runId: number }> {
  const runId = await new Promise<number | undefined>((resolve, reject) => {
    deps.runner.run(tenantId, 'manual', { onStart: resolve }).then(
      (outcome) => {
        if (outcome.status === 'busy') resolve(undefined);
      },
      (err: unknown) => {
        // Before it started, the caller hears of it; after, only the log does (the run record says it failed).
        deps.logger.error({ err, tenantId }, 'manual sync failed');
        reject(err);
      },
    );
  });
  if (runId === undefined) throw new SyncAlreadyRunning(tenantId);
  await deps.audit.append({ tenantId, actor, action: 'sync.run', target: 'sync', before: undefined, after: { runId, trigger: 'manual' } });
  return { runId };
}
