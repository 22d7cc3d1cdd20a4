import express, { type Request, type Response, type Router } from 'express';
import { DirectoryError, type DevUser, type MemberType } from '../directory.js';
import { arraySource, sendCount, sendPage, type Source } from './collection.js';
import { GROUP, project, USER, type EntityType } from './entities.js';
import { callerOf, type GraphServices } from './graph-context.js';
import { GraphError } from './graph-errors.js';
import { eventual, parseListQuery, parseSelect, parseTop, queryOptions, type ListQuery } from './odata-query.js';
import { contextUrl, sendOData } from './odata-response.js';
import { authorize, type OperationId } from './permissions.js';
import { directoryObject, groupView, sortKey, userView } from './views.js';

/**
 * Membership reads: a group's members and transitiveMembers
 * (https://learn.microsoft.com/graph/api/group-list-members, .../group-list-transitivemembers), a
 * user's memberOf and transitiveMemberOf (.../user-list-memberof, .../user-list-transitivememberof),
 * each item tagged with `@odata.type`, with the `/microsoft.graph.user|group` cast segment; and the
 * checkMemberGroups / getMemberGroups actions (.../directoryobject-checkmembergroups,
 * .../directoryobject-getmembergroups).
 */
export function membershipRoutes(svc: GraphServices): Router {
  const router = express.Router();
  for (const [segment, transitive] of [['members', false], ['transitiveMembers', true]] as const) {
    router.get(`/groups/:id/${segment}/$count`, (req, res) => groupMembers(svc, req, res, transitive, true));
    router.get(`/groups/:id/${segment}{/:cast}`, (req, res) => groupMembers(svc, req, res, transitive, false));
  }
  for (const [segment, transitive] of [['memberOf', false], ['transitiveMemberOf', true]] as const) {
    router.get(`/users/:id/${segment}/$count`, (req, res) => userMemberOf(svc, req, res, transitive, true));
    router.get(`/users/:id/${segment}{/:cast}`, (req, res) => userMemberOf(svc, req, res, transitive, false));
  }
  router.post('/users/:id/checkMemberGroups', (req, res) => checkMemberGroups(svc, req, res));
  router.post('/users/:id/getMemberGroups', (req, res) => getMemberGroups(svc, req, res));
  return router;
}

type Member = { id: string; type: MemberType };

function groupMembers(svc: GraphServices, req: Request, res: Response, transitive: boolean, countOnly: boolean): void {
  authorize(svc, req, res, transitive ? 'groups.transitiveMembers' : 'groups.members');
  const dir = callerOf(res).tenant.directory;
  const id = String(req.params.id);
  if (!dir.getGroup(id)) throw notFound(id);
  const members = transitive ? dir.transitiveMembers(id) : dir.directMembers(id);
  if (countOnly) return sendCount(req, res, () => members.length);
  sendMembers(svc, req, res, members, castOf(req));
}

function userMemberOf(svc: GraphServices, req: Request, res: Response, transitive: boolean, countOnly: boolean): void {
  const { caller, tenant } = callerOf(res);
  const user = tenant.directory.getUser(String(req.params.id));
  const self = user !== undefined && user.id === caller.userId;
  authorize(svc, req, res, `${self ? 'me' : 'users'}.${transitive ? 'transitiveMemberOf' : 'memberOf'}` as OperationId);
  if (!user) throw notFound(String(req.params.id));
  const dir = tenant.directory;
  const ids = transitive ? [...dir.transitiveGroupIdsOf(user.id)] : dir.directGroupIdsOf(user.id);
  if (countOnly) return sendCount(req, res, () => ids.length);
  sendMembers(svc, req, res, ids.map((g) => ({ id: g, type: 'group' as const })), castOf(req));
}

/** `microsoft.graph.user` / `microsoft.graph.group` cast segments; anything else is an unknown segment. */
function castOf(req: Request): MemberType | undefined {
  const cast = req.params.cast;
  if (cast === undefined) return undefined;
  const m = /^(?:microsoft\.)?graph\.(user|group)$/i.exec(String(cast));
  if (!m) throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${cast}'.`);
  return m[1]!.toLowerCase() as MemberType;
}

function sendMembers(svc: GraphServices, req: Request, res: Response, members: Member[], cast: MemberType | undefined): void {
  const { caller, tenant } = callerOf(res);
  const dir = tenant.directory;
  if (cast) {
    // A cast list is a plain users or groups collection, and takes $filter/$search/$orderby.
    const type = (cast === 'user' ? USER : GROUP) as EntityType<DevUser | { id: string }>;
    const query = parseListQuery(req, type, { relationship: true, cast: true });
    const typed = members.filter((m) => m.type === cast);
    const source: Source<DevUser | { id: string }> = {
      length: typed.length,
      at: (i) => (cast === 'user' ? dir.getUser(typed[i]!.id) : dir.getGroup(typed[i]!.id)),
    };
    const view = (o: { id: string }) => (cast === 'user' ? userView(caller, o.id) : groupView(caller));
    return sendPage(svc, req, res, source, query, {
      context: contextUrl(svc, type.entitySet, query.select),
      render: (o) => project(type, o, query.select, view(o)),
      sortKey: sortKey(type),
    });
  }
  const query = mixedQuery(req);
  sendPage(svc, req, res, arraySource(members), query, {
    context: contextUrl(svc, 'directoryObjects', query.select),
    render: (m) => directoryObject(dir, caller, m, query.select) ?? { '@odata.type': `#microsoft.graph.${m.type}`, id: m.id },
  });
}

/**
 * Options of an uncast directoryObject list. Graph requires advanced query parameters for $filter,
 * $search and $orderby here; the dev tenant evaluates them only on a cast list, where the type is known.
 */
function mixedQuery(req: Request): ListQuery<Member> {
  const o = queryOptions(req);
  const advanced = eventual(req) && o.get('count')?.toLowerCase() === 'true';
  if (o.has('filter') || o.has('search') || o.has('orderby')) {
    throw new GraphError(400, 'Request_UnsupportedQuery', advanced
      ? 'The dev tenant evaluates $filter, $search and $orderby on membership lists only after an OData cast such as /microsoft.graph.user.'
      : '$filter, $search and $orderby on this relationship need advanced query parameters: $count=true and the ConsistencyLevel: eventual header.');
  }
  return { count: advanced, top: parseTop(o.get('top')), select: parseSelect(o.get('select'), [USER, GROUP]), skipToken: o.get('skiptoken') };
}

function memberGroupsTarget(svc: GraphServices, req: Request, res: Response): DevUser {
  const { caller, tenant } = callerOf(res);
  const user = tenant.directory.getUser(String(req.params.id));
  authorize(svc, req, res, user && user.id === caller.userId ? 'me.memberGroups' : 'users.memberGroups');
  if (!user) throw notFound(String(req.params.id));
  return user;
}

/** Up to 20 group ids per call, checked transitively. */
function checkMemberGroups(svc: GraphServices, req: Request, res: Response): void {
  const user = memberGroupsTarget(svc, req, res);
  const groupIds: unknown = (req.body as { groupIds?: unknown } | undefined)?.groupIds;
  if (!Array.isArray(groupIds) || !groupIds.every((g) => typeof g === 'string')) {
    throw new GraphError(400, 'Request_BadRequest', "The request body must contain 'groupIds', an array of group ids.");
  }
  if (groupIds.length > 20) throw new GraphError(400, 'Request_BadRequest', `At most 20 group ids can be checked per request; ${groupIds.length} were given.`);
  const memberOf = callerOf(res).tenant.directory.transitiveGroupIdsOf(user.id);
  sendOData(res, { '@odata.context': contextUrl(svc, 'Collection(Edm.String)'), value: groupIds.filter((g: string) => memberOf.has(g)) });
}

/** Every group the user belongs to, directly or through nesting; at most 11,000 ids, as Graph limits. */
function getMemberGroups(svc: GraphServices, req: Request, res: Response): void {
  const user = memberGroupsTarget(svc, req, res);
  const securityEnabledOnly: unknown = (req.body as { securityEnabledOnly?: unknown } | undefined)?.securityEnabledOnly;
  if (typeof securityEnabledOnly !== 'boolean') {
    throw new GraphError(400, 'Request_BadRequest', "The request body must contain 'securityEnabledOnly', true or false.");
  }
  const dir = callerOf(res).tenant.directory;
  const ids = [...dir.transitiveGroupIdsOf(user.id)].filter((g) => !securityEnabledOnly || dir.getGroup(g)?.securityEnabled);
  if (ids.length > 11_000) throw new GraphError(400, 'Directory_ResultSizeLimitExceeded', 'The user is a member of more than 11,000 groups; use transitiveMemberOf instead.');
  sendOData(res, { '@odata.context': contextUrl(svc, 'Collection(Edm.String)'), value: ids });
}

function notFound(id: string): DirectoryError {
  return new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}
