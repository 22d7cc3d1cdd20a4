import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { DirectoryRepository } from '../../store/directory-repository.js';
import type { DatabaseSchema } from '../../store/schema.js';
import { SyncRepository, type SyncKind } from '../../store/sync-repository.js';
import { DeltaTokenExpired, type GraphPages } from './graph-pages.js';
import { USER_SELECT } from '../policy/contact-fields.js';
import { GROUP_SELECT, memberChanges, toStoredGroup, toStoredUser, userFingerprint } from './user-record.js';

export interface DirectorySyncDeps {
  db: Kysely<DatabaseSchema>;
  cipher: FieldCipher;
  pages: GraphPages;
  now?: () => number;
}

/** What a round changed, for the visibility step that follows. */
export interface DirectoryChanges {
  /** A full round ran for users or groups (first round, or restart after an expired token). */
  full: boolean;
  /** Users added or whose stored fields changed. */
  changedUsers: Set<string>;
  removedUsers: Set<string>;
  /** Group properties, existence or membership changed: audiences must be recomputed. */
  membershipChanged: boolean;
  groupsChanged: number;
  pages: number;
}

/** A round in progress, saved after every page so that a crash resumes instead of starting over. */
interface RoundState {
  link: string;
  full: boolean;
  startedAt: number;
}

type DeltaKind = Exclude<SyncKind, 'photos'>;

const INITIAL: Record<DeltaKind, string> = {
  users: `/users/delta?$select=${USER_SELECT.join(',')}`,
  groups: `/groups/delta?$select=${GROUP_SELECT.join(',')}`,
};

/**
 * One sync round of a tenant's directory from Graph delta queries: users, and groups with
 * `members@delta`. Each page is written in its own transaction together with the link to the next
 * page, so the store is consistent after a crash at any point and the next round resumes from the
 * last saved page. A full round ends by sweeping what it did not see.
 * https://learn.microsoft.com/graph/delta-query-overview
 *
 * The two delta queries are independent (each has its own links and position, and memberships are
 * stored by id whether or not the user is stored yet), so they run side by side: writing users
 * overlaps with paging groups, which is most of a large tenant's first round. Both finish, or fail,
 * before the round returns, so the caller's tenant lock covers every write.
 */
export async function syncDirectory(deps: DirectorySyncDeps, tenantId: string): Promise<DirectoryChanges> {
  const changes: DirectoryChanges = { full: false, changedUsers: new Set(), removedUsers: new Set(), membershipChanged: false, groupsChanged: 0, pages: 0 };
  const results = await Promise.allSettled([syncKind(deps, tenantId, 'users', changes), syncKind(deps, tenantId, 'groups', changes)]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return changes;
}

async function syncKind(deps: DirectorySyncDeps, tenantId: string, kind: DeltaKind, changes: DirectoryChanges): Promise<void> {
  const now = deps.now ?? Date.now;
  const position = await new SyncRepository(deps.db, deps.cipher).position(tenantId, kind);
  let round: RoundState = position.nextLink
    ? (JSON.parse(position.nextLink) as RoundState)
    : position.deltaLink
      ? { link: position.deltaLink, full: false, startedAt: now() }
      : { link: INITIAL[kind], full: true, startedAt: now() };

  let pending = deps.pages.get(round.link);
  for (;;) {
    let page;
    try {
      page = await pending;
    } catch (err) {
      if (err instanceof DeltaTokenExpired && round.link !== INITIAL[kind]) {
        round = { link: INITIAL[kind], full: true, startedAt: now() };
        pending = deps.pages.get(round.link);
        continue;
      }
      throw err;
    }
    changes.pages++;
    if (round.full) changes.full = true;
    const next = page['@odata.nextLink'];
    const deltaLink = page['@odata.deltaLink'];
    // Read ahead: the next page travels while this one is written, so the round costs about the
    // longer of paging and writing rather than their sum. At most one page waits in memory, and the
    // position saved below still names `next`: after a crash it is asked for again.
    const ahead = next ? deps.pages.get(next) : undefined;
    // Its failure is handled when it is awaited; until then (or if this page fails) it is not unhandled.
    ahead?.catch(() => undefined);
    await deps.db.transaction().execute(async (trx) => {
      const directory = new DirectoryRepository(trx, deps.cipher);
      if (kind === 'users') await applyUsers(directory, tenantId, page.value, changes, now());
      else await applyGroups(directory, tenantId, page.value, changes, now());
      if (!next && round.full) await sweep(directory, tenantId, kind, round.startedAt, changes);
      const sync = new SyncRepository(trx, deps.cipher);
      if (next) await sync.savePosition(tenantId, kind, { deltaLink: position.deltaLink, nextLink: JSON.stringify({ ...round, link: next }) });
      else await sync.savePosition(tenantId, kind, { deltaLink: deltaLink ?? null, nextLink: null });
    });
    if (!next || !ahead) return;
    round = { ...round, link: next };
    pending = ahead;
  }
}

async function applyUsers(directory: DirectoryRepository, tenantId: string, items: Record<string, unknown>[], changes: DirectoryChanges, now: number): Promise<void> {
  const removed = items.filter((u) => u['@removed']).map((u) => String(u.id));
  const upserts = items.filter((u) => !u['@removed']).map(toStoredUser);
  // Graph may replay objects that did not change; only real changes reach devices.
  const before = new Map((await directory.getUsers(tenantId, upserts.map((u) => u.id))).map((u) => [u.id, userFingerprint(u)]));
  for (const u of upserts) if (before.get(u.id) !== userFingerprint(u)) changes.changedUsers.add(u.id);
  await directory.upsertUsers(tenantId, upserts, now);
  if (removed.length > 0) {
    await directory.deleteUsers(tenantId, removed);
    for (const id of removed) {
      changes.removedUsers.add(id);
      changes.changedUsers.delete(id);
    }
    changes.membershipChanged = true;
  }
}

async function applyGroups(directory: DirectoryRepository, tenantId: string, items: Record<string, unknown>[], changes: DirectoryChanges, now: number): Promise<void> {
  const removed = items.filter((g) => g['@removed']).map((g) => String(g.id));
  const present = items.filter((g) => !g['@removed']);
  // A group split across pages may come back with only id and members@delta.
  const withProperties = present.filter((g) => 'displayName' in g).map(toStoredGroup);
  await directory.upsertGroups(tenantId, withProperties, now);
  await directory.touchGroups(tenantId, present.filter((g) => !('displayName' in g)).map((g) => String(g.id)), now);
  for (const g of present) {
    const { adds, removes } = memberChanges(g);
    if (adds.length > 0) await directory.addMembers(tenantId, String(g.id), adds, now);
    if (removes.length > 0) await directory.removeMembers(tenantId, String(g.id), removes);
    if (adds.length > 0 || removes.length > 0) changes.membershipChanged = true;
  }
  if (removed.length > 0) {
    await directory.deleteGroups(tenantId, removed);
    changes.membershipChanged = true;
  }
  changes.groupsChanged += present.length + removed.length;
}

/** End of a full round: whatever it did not see is gone from the directory. */
async function sweep(directory: DirectoryRepository, tenantId: string, kind: DeltaKind, startedAt: number, changes: DirectoryChanges): Promise<void> {
  if (kind === 'users') {
    const stale = await directory.staleUserIds(tenantId, startedAt);
    if (stale.length > 0) {
      await directory.deleteUsers(tenantId, stale);
      for (const id of stale) changes.removedUsers.add(id);
      changes.membershipChanged = true;
    }
  } else {
    const staleGroups = await directory.staleGroupIds(tenantId, startedAt);
    if (staleGroups.length > 0) await directory.deleteGroups(tenantId, staleGroups);
    const lostMembers = await directory.sweepMembers(tenantId, startedAt);
    if (staleGroups.length > 0 || lostMembers.length > 0) changes.membershipChanged = true;
  }
}
