import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Logger } from '../../log/logger.js';
import type { Store } from '../../store/store.js';
import { SyncRepository, type SyncRun } from '../../store/sync-repository.js';
import { loadPolicy } from '../tenant-policy.js';
import { recomputeVisibility } from '../visibility/recompute.js';
import { DirectoryRepository } from '../../store/directory-repository.js';
import { syncDirectory } from './directory-sync.js';
import { syncPhotos } from './photo-sync.js';
import type { GraphPages } from './graph-pages.js';
import type { TenantLock } from './tenant-lock.js';

/** Graph access for one tenant's round, with the counters the run record keeps. */
export interface TenantGraph {
  pages: GraphPages;
  stats: { requests: number; throttled: number };
}

export interface SyncRunnerDeps {
  store: Store;
  cipher: FieldCipher;
  lock: TenantLock;
  /** Opens Graph for a tenant on the delegated grant the sync runs on (throws when it lapsed). */
  graphFor: (tenantId: string) => Promise<TenantGraph>;
  logger: Logger;
}

const PHOTO_PASS_MS = 24 * 3600 * 1000;
/** How many recent runs are checked for one left running by a dead instance. */
const INTERRUPTED_LOOKBACK = 20;
export const INTERRUPTED = 'interrupted: the instance running this round stopped before it finished; the next round recovered';

export type RunOutcome = { status: 'busy' } | { status: SyncRun['status']; runId: number; error?: string };

/**
 * One sync round of a tenant: directory by delta, then audiences and the change feed, recorded as a
 * run (trigger, mode, Graph requests, throttling, changes, error) for the admin page's sync health.
 */
export class SyncRunner {
  constructor(private readonly deps: SyncRunnerDeps) {}

  /**
   * Runs a round unless one of the tenant is under way (then `busy` at once). `onStart` is told the
   * run's id as soon as the round holds the lock and its run record exists, for callers that answer
   * before the round ends (the admin page's "sync now").
   */
  async run(tenantId: string, trigger: SyncRun['trigger'], options: { onStart?: (runId: number) => void } = {}): Promise<RunOutcome> {
    const result = await this.deps.lock.tryRun(tenantId, () => this.round(tenantId, trigger, options.onStart));
    return result.ran ? result.value : { status: 'busy' };
  }

  /**
   * Photos of new and changed users every round; every photo once a day, since Graph's delta does
   * not report photo changes (https://learn.microsoft.com/graph/delta-query-overview).
   */
  private async photos(tenantId: string, graph: TenantGraph, changedUsers: ReadonlySet<string>): Promise<Set<string>> {
    const { store, cipher } = this.deps;
    const runs = new SyncRepository(store.db, cipher);
    const lastFullPass = (await runs.position(tenantId, 'photos')).updatedAt ?? 0;
    const deps = { db: store.db, cipher, pages: graph.pages };
    if (Date.now() - lastFullPass < PHOTO_PASS_MS) return (await syncPhotos(deps, tenantId, changedUsers)).changedUsers;
    const all = (await new DirectoryRepository(store.db, cipher).userFlags(tenantId)).map((u) => u.id);
    const result = await syncPhotos(deps, tenantId, all);
    await runs.savePosition(tenantId, 'photos', { deltaLink: null, nextLink: null });
    return result.changedUsers;
  }

  private async round(tenantId: string, trigger: SyncRun['trigger'], onStart?: (runId: number) => void): Promise<RunOutcome> {
    const { store, cipher } = this.deps;
    const runs = new SyncRepository(store.db, cipher);
    const mode = (await runs.position(tenantId, 'users')).deltaLink ? 'delta' : 'full';
    // This round holds the tenant's lock, so a round still recorded as running was cut off: its
    // instance died (kill -9, a crash, a lost machine). The pages it committed are in the store, but
    // the visibility step that turns them into feed entries may never have run for them.
    const interrupted = (await runs.recentRuns(tenantId, INTERRUPTED_LOOKBACK)).filter((r) => r.status === 'running');
    const runId = await runs.startRun(tenantId, trigger, mode);
    onStart?.(runId);
    const log = this.deps.logger.child({ tenantId, runId, trigger, mode });
    for (const r of interrupted) {
      await runs.finishRun(r.id, { status: 'failed', graphRequests: r.graph_requests, throttled: r.throttled, usersChanged: 0, groupsChanged: 0, contactChanges: 0, error: INTERRUPTED });
    }
    if (interrupted.length > 0) log.warn({ interrupted: interrupted.map((r) => r.id) }, 'an earlier round was cut off; this round re-announces every contact');
    let stats = { requests: 0, throttled: 0 };
    try {
      const graph = await this.deps.graphFor(tenantId);
      stats = graph.stats;
      const changes = await syncDirectory({ db: store.db, cipher, pages: graph.pages }, tenantId);
      for (const id of await this.photos(tenantId, graph, changes.changedUsers)) changes.changedUsers.add(id);
      let contactChanges = 0;
      // After a cut-off round, which changes it stored without announcing is unknown (users, groups,
      // photos): every card is announced again, once, so every device refetches and converges.
      const recovering = interrupted.length > 0;
      if (recovering || changes.changedUsers.size > 0 || changes.removedUsers.size > 0 || changes.membershipChanged) {
        const { policy } = await loadPolicy({ db: store.db, cipher }, tenantId);
        contactChanges = (await recomputeVisibility({ db: store.db, cipher }, tenantId, policy, { changedUsers: changes.changedUsers, allContent: recovering })).feedEntries;
      }
      await runs.finishRun(runId, {
        status: 'succeeded', graphRequests: stats.requests, throttled: stats.throttled,
        usersChanged: changes.changedUsers.size + changes.removedUsers.size, groupsChanged: changes.groupsChanged, contactChanges,
      });
      log.info({ pages: changes.pages, requests: stats.requests, contactChanges }, 'sync round finished');
      return { status: 'succeeded', runId };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await runs.finishRun(runId, { status: 'failed', graphRequests: stats.requests, throttled: stats.throttled, usersChanged: 0, groupsChanged: 0, contactChanges: 0, error });
      log.warn({ err }, 'sync round failed');
      return { status: 'failed', runId, error };
    }
  }
}
