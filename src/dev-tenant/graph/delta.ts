import express, { type Request, type Response, type Router } from 'express';
import type { DeltaItem, DevDirectory, DevGroup, DevUser } from '../directory.js';
import { GROUP, project, USER } from './entities.js';
import { callerOf, type GraphServices } from './graph-context.js';
import { GraphError } from './graph-errors.js';
import { parseSelect, queryOptions } from './odata-query.js';
import { contextUrl, queryString, sendOData } from './odata-response.js';
import { authorize } from './permissions.js';
import { groupView, userView } from './views.js';

/**
 * `GET /users/delta` and `GET /groups/delta` (https://learn.microsoft.com/graph/delta-query-overview,
 * .../delta-query-users, .../delta-query-groups): a round of nextLink pages ending in one deltaLink;
 * `$select` encoded in the tokens; `@removed: {reason}`; groups carry `members@delta`, and a group
 * with many members is split over several pages; `$deltatoken=latest` gives a deltaLink and no data.
 */

/** Page size without a Prefer header, and its cap: 200 directory objects (Microsoft Q&A 2052165). */
const PAGE_SIZE = 200;
/** Member links per page in members@delta: 500 directory link objects (same answer). */
const MEMBER_LINKS_PER_PAGE = 500;
/** Delta tokens for directory objects expire after seven days (delta-query-overview, "Token duration"). */
const TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;

type Kind = 'users' | 'groups';

/** A $skiptoken: the round (changes in (f, t]), where the next page starts, the round's $select. */
interface PageState { k: Kind; f: number; t: number; c: number; m: number; s: string[] | null; sel: boolean; i: number }
/** A $deltatoken: the next round starts after sequence number f. */
interface LinkState { k: Kind; f: number; s: string[] | null; sel: boolean; i: number }

export function deltaRoutes(svc: GraphServices): Router {
  const router = express.Router();
  router.get('/users/delta', (req, res) => delta(svc, req, res, 'users'));
  router.get('/groups/delta', (req, res) => delta(svc, req, res, 'groups'));
  return router;
}

function delta(svc: GraphServices, req: Request, res: Response, kind: Kind): void {
  authorize(svc, req, res, kind === 'users' ? 'users.delta' : 'groups.delta');
  const { caller, tenant } = callerOf(res);
  const dir = tenant.directory;
  const o = queryOptions(req);
  // Graph allows only `id eq` scoping filters on delta; the dev tenant says so rather than ignore one.
  if (o.has('filter')) throw new GraphError(400, 'Request_UnsupportedQuery', 'The dev tenant does not support $filter on delta queries.');
  const now = svc.now();
  // Replication lag: a round ends at the last change old enough to be visible.
  const visibleBefore = now - svc.faults.replicationLagMs;
  const visible = svc.faults.replicationLagMs > 0 ? visibleSeq(dir, visibleBefore) : dir.currentSeq;
  const state = roundState(svc, kind, o, now, visible);
  if (!state) {
    // "Sync from now" ($deltatoken=latest): no data, only a deltaLink for the current state.
    const { s, sel } = selectOf(kind, o);
    return sendOData(res, { '@odata.context': contextUrl(svc, kind, s ?? undefined), '@odata.deltaLink': link(svc, kind, { k: kind, f: visible, s, sel, i: now }), value: [] });
  }
  const preferred = /odata\.maxpagesize=(\d+)/i.exec(req.get('Prefer') ?? '');
  const pageSize = Math.min(Math.max(Number(preferred?.[1] ?? PAGE_SIZE), 1), PAGE_SIZE);
  if (preferred) res.setHeader('Preference-Applied', `odata.maxpagesize=${pageSize}`);
  const page = kind === 'users' ? usersPage(dir, state, pageSize, visibleBefore) : groupsPage(dir, state, pageSize, visibleBefore);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(svc, kind, state.s ?? undefined) };
  if (page.next) body['@odata.nextLink'] = `${svc.serviceRoot}/${kind}/delta?${queryString([['$skiptoken', svc.stateTokens.sign({ ...state, ...page.next })]])}`;
  else body['@odata.deltaLink'] = link(svc, kind, { k: kind, f: state.t, s: state.s, sel: state.sel, i: now });
  body.value = page.items.map((it) => render(kind, it, state, caller));
  sendOData(res, body);
}

/**
 * Where this request's page starts: a $skiptoken continues its round; a $deltatoken starts a round
 * of the changes since it; neither (or the empty $deltatoken of a resync Location) starts a full
 * round. Undefined for $deltatoken=latest.
 */
function roundState(svc: GraphServices, kind: Kind, o: Map<string, string>, now: number, visible: number): PageState | undefined {
  const skip = o.get('skiptoken');
  if (skip !== undefined) return checked(svc, kind, svc.stateTokens.verify<PageState>(skip), now);
  const deltaToken = o.get('deltatoken');
  if (deltaToken === 'latest') return undefined;
  const requested = selectOf(kind, o);
  if (deltaToken === undefined || deltaToken === '') return { k: kind, f: 0, t: visible, c: 0, m: 0, ...requested, i: now };
  const from = checked(svc, kind, svc.stateTokens.verify<LinkState>(deltaToken), now);
  // Graph lets a deltaLink request change the tracked properties with a new $select.
  const sel = o.has('select') ? requested : { s: from.s, sel: from.sel };
  return { k: kind, f: from.f, t: Math.max(from.f, visible), c: 0, m: 0, ...sel, i: now };
}

type Page = { items: { item: DeltaItem<DevUser | DevGroup>; members?: DeltaItem<DevGroup>['members'] }[]; next?: { c: number; m: number } };

function usersPage(dir: DevDirectory, s: PageState, pageSize: number, visibleBefore: number): Page {
  const page = dir.deltaPage('users', { fromSeq: s.f, toSeq: s.t }, s.c, pageSize, visibleBefore);
  return { items: page.items.map((item) => ({ item })), ...(page.nextCursor !== undefined ? { next: { c: page.nextCursor, m: 0 } } : {}) };
}

/**
 * Groups one at a time so a large membership can be split: a group whose remaining members do not
 * fit ends the page, or, alone on a page, fills it and continues on the next (delta-query-groups,
 * "Paging through members in a large group").
 */
function groupsPage(dir: DevDirectory, s: PageState, pageSize: number, visibleBefore: number): Page {
  const items: Page['items'] = [];
  let cursor = s.c;
  let offset = s.m;
  let links = 0;
  while (items.length < pageSize) {
    const one = dir.deltaPage('groups', { fromSeq: s.f, toSeq: s.t }, cursor, 1, visibleBefore);
    const item = one.items[0];
    if (!item) return { items };
    const remaining = s.sel ? (item.members ?? []).slice(offset) : [];
    const room = MEMBER_LINKS_PER_PAGE - links;
    if (remaining.length > room) {
      if (items.length > 0) return { items, next: { c: cursor, m: offset } };
      items.push({ item, members: remaining.slice(0, room) });
      return { items, next: { c: cursor, m: offset + room } };
    }
    items.push({ item, members: remaining });
    links += remaining.length;
    offset = 0;
    if (one.nextCursor === undefined) return { items };
    cursor = one.nextCursor;
  }
  return { items, next: { c: cursor, m: 0 } };
}

function render(kind: Kind, { item, members }: Page['items'][number], s: PageState, caller: Parameters<typeof userView>[0]): Record<string, unknown> {
  if (item.removed) return { id: item.id, '@removed': { reason: item.removed.reason } };
  const select = s.s ?? undefined;
  // The id is always returned (user-delta, "OData query parameters").
  const out: Record<string, unknown> = kind === 'users'
    ? { ...project(USER, item.value as DevUser, select, userView(caller, item.id)), id: item.id }
    : { ...project(GROUP, item.value as DevGroup, select, groupView(caller)), id: item.id };
  if (members && members.length > 0) {
    out['members@delta'] = members.map((m) => ({ '@odata.type': `#microsoft.graph.${m.type}`, id: m.id, ...(m.removed ? { '@removed': { reason: 'deleted' } } : {}) }));
  }
  return out;
}

/** $select; on groups `members` (or `$expand=members`) asks for members@delta, which is the default without $select. */
function selectOf(kind: Kind, o: Map<string, string>): { s: string[] | null; sel: boolean } {
  const raw = o.get('select');
  const names = raw?.split(',').map((p) => p.trim()).filter(Boolean) ?? [];
  const wantsMembers = kind === 'groups' && (names.some((p) => p.toLowerCase() === 'members') || /(^|,)\s*members\b/i.test(o.get('expand') ?? ''));
  const props = names.filter((p) => !(kind === 'groups' && p.toLowerCase() === 'members'));
  const s = props.length > 0 ? parseSelect(props.join(','), [kind === 'users' ? USER : GROUP])! : null;
  return { s, sel: kind === 'groups' && (raw === undefined || wantsMembers) };
}

function link(svc: GraphServices, kind: Kind, state: LinkState): string {
  return `${svc.serviceRoot}/${kind}/delta?${queryString([['$deltatoken', svc.stateTokens.sign(state)]])}`;
}

/**
 * A token must be ours, for this collection, and not expired. Expired directory tokens are answered
 * 400 syncStateNotFound (Microsoft 365 Developer Blog, 2020-07-03, "Duration of change tracking
 * tokens"); the fault switch can instead answer 410 Gone with a Location restarting the sync
 * (delta-query-overview, "Synchronization reset").
 */
function checked<T extends { k: Kind; i: number; s: string[] | null }>(svc: GraphServices, kind: Kind, state: T | undefined, now: number): T {
  if (!state || state.k !== kind || typeof state.i !== 'number') {
    throw new GraphError(400, 'Request_BadRequest', 'The delta or skip token is invalid, or was issued for another collection.');
  }
  if (now - state.i <= TOKEN_LIFETIME_MS && !svc.faults.expiresDeltaToken(state.i)) return state;
  if (svc.faults.deltaExpiryResponse === 'resyncRequired') {
    const select = state.s ? [['$select', state.s.join(',')] as [string, string]] : [];
    throw new GraphError(410, 'resyncRequired', 'The delta token is no longer valid; restart with a full synchronization.', {
      Location: `${svc.serviceRoot}/${kind}/delta?${queryString([...select, ['$deltatoken', '']])}`,
    });
  }
  throw new GraphError(400, 'syncStateNotFound', 'The sync state generation was not found: the delta token has expired and the data must be synchronized again.');
}

/** The newest sequence number whose change happened at or before `time`; changes are time-ordered. */
function visibleSeq(dir: DevDirectory, time: number): number {
  let best = 0;
  for (const tracked of [dir.users, dir.groups] as const) {
    for (let i = tracked.log.length - 1; i >= 0; i--) {
      const { seq, id } = tracked.log[i]!;
      const t = tracked.byId.get(id)!;
      if (t.changedAt[t.changes.lastIndexOf(seq)]! <= time) {
        best = Math.max(best, seq);
        break;
      }
    }
  }
  return best;
}
