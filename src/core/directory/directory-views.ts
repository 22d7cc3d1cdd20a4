import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { DirectoryRepository } from '../../store/directory-repository.js';
import { FeedRepository } from '../../store/feed-repository.js';
import type { Logger } from '../../log/logger.js';
import type { DatabaseSchema } from '../../store/schema.js';
import { projectContact, type DirectoryUser } from '../policy/contact-fields.js';
import type { GroupData, UserData } from '../sync/user-record.js';
import { loadPolicy } from '../tenant-policy.js';
import { MembershipGraph } from '../visibility/membership-graph.js';
import { DirectoryView, type VisibleGroup } from './directory-view.js';

export interface DirectoryViewsOptions {
  /** Views kept in memory, least recently used dropped first: one per audience in use. */
  maxViews?: number;
}

interface Version {
  /** The saved policy's version: a new one may hide fields, so it is never served stale. */
  policy: number;
  /** The audience's feed position and the tenant's latest sync round (group memberships). */
  data: string;
}

interface Cached {
  policy: number;
  data: string;
  view: Promise<DirectoryView>;
  refreshing: boolean;
  usedAt: number;
}

/**
 * The directory each user may see, as in-memory views shared by everyone in the same audience.
 * The store holds the directory sealed, so searching it in SQL is impossible by design; instead a
 * view is decrypted once and reused. Each request probes three versions (policy, audience feed,
 * latest sync round). A new policy version rebuilds the view before answering, since it may hide
 * fields or change who is visible; new directory data rebuilds it in the background while the
 * previous view keeps answering, since building a 100k-contact view takes seconds (bench/REPORT.md)
 * and the directory is only ever as fresh as the last sync round anyway.
 */
export class DirectoryViews {
  private readonly cache = new Map<string, Cached>();
  private readonly maxViews: number;
  private clock = 0;

  constructor(private readonly deps: { db: Kysely<DatabaseSchema>; cipher: FieldCipher; logger?: Logger }, options: DirectoryViewsOptions = {}) {
    this.maxViews = options.maxViews ?? 16;
  }

  /** The view of the user's audience, or undefined when the user receives no contacts. */
  async forUser(tenantId: string, userId: string): Promise<DirectoryView | undefined> {
    const audienceId = await new FeedRepository(this.deps.db).audienceOf(tenantId, userId);
    if (audienceId === undefined) return undefined;
    const key = `${tenantId}/${audienceId}`;
    const version = await this.versionOf(tenantId, audienceId);
    let cached = this.cache.get(key);
    if (!cached || cached.policy !== version.policy) {
      const view = this.load(tenantId, audienceId);
      cached = { ...version, view, refreshing: false, usedAt: 0 };
      this.cache.set(key, cached);
      // A failed load must not stay cached: the next request tries again.
      view.catch(() => this.cache.get(key)?.view === view && this.cache.delete(key));
      this.evict();
    } else if (cached.data !== version.data && !cached.refreshing) {
      this.refresh(key, cached, tenantId, audienceId, version.data);
    }
    cached.usedAt = ++this.clock;
    return cached.view;
  }

  private refresh(key: string, cached: Cached, tenantId: string, audienceId: number, data: string): void {
    cached.refreshing = true;
    this.load(tenantId, audienceId).then(
      (view) => {
        cached.refreshing = false;
        // Unless a new policy replaced the entry meanwhile, the fresh view takes over.
        if (this.cache.get(key) === cached) {
          cached.view = Promise.resolve(view);
          cached.data = data;
        }
      },
      (err: unknown) => {
        cached.refreshing = false;
        this.deps.logger?.warn({ err, tenantId }, 'directory view refresh failed; the previous view keeps answering');
      },
    );
  }

  private async versionOf(tenantId: string, audienceId: number): Promise<Version> {
    const [seq, run, policy] = await Promise.all([
      new FeedRepository(this.deps.db).latestSeq(audienceId),
      this.deps.db.selectFrom('sync_runs').select((eb) => eb.fn.max('id').as('id')).where('tenant_id', '=', tenantId).executeTakeFirst(),
      this.deps.db.selectFrom('tenant_policies').select('version').where('tenant_id', '=', tenantId).executeTakeFirst(),
    ]);
    return { policy: policy?.version ?? 0, data: `${seq}:${run?.id ?? 0}` };
  }

  private async load(tenantId: string, audienceId: number): Promise<DirectoryView> {
    const feed = new FeedRepository(this.deps.db);
    const directory = new DirectoryRepository(this.deps.db, this.deps.cipher);
    const [{ policy }, users, audience] = await Promise.all([
      loadPolicy(this.deps, tenantId),
      directory.audienceUsers<UserData>(tenantId, audienceId),
      feed.audiences(tenantId).then((all) => all.find((a) => a.id === audienceId)),
    ]);
    const contacts = users.map((u) => ({ ...projectContact({ ...u.data, id: u.id } as DirectoryUser, policy), hasPhoto: u.photoHash !== null }));

    const visibleGroupIds = audience?.groups ?? [];
    let groups: VisibleGroup[] = [];
    if (visibleGroupIds.length > 0) {
      const graph = new MembershipGraph(await directory.memberships(tenantId));
      const names = new Map((await directory.getGroups<GroupData>(tenantId, visibleGroupIds)).map((g) => [g.id, g.data.displayName]));
      groups = visibleGroupIds.map((id) => ({ id, name: names.get(id) ?? id, members: graph.transitiveUsers(id) }));
    }
    return new DirectoryView(contacts, groups);
  }

  private evict(): void {
    while (this.cache.size > this.maxViews) {
      let oldest: string | undefined;
      let oldestUse = Infinity;
      for (const [key, c] of this.cache) if (c.usedAt < oldestUse) [oldest, oldestUse] = [key, c.usedAt];
      this.cache.delete(oldest!);
    }
  }
}
