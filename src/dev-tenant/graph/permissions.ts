import type { Request, Response } from 'express';
import type { GraphCaller } from '../tokens.js';
import { callerOf, type GraphServices } from './graph-context.js';
import { GraphError } from './graph-errors.js';

/**
 * The permission Microsoft documents for each endpoint, delegated (`scp`) and application (`roles`).
 * Each entry lists alternatives; the permissions inside one alternative are needed together (as the
 * checkMemberGroups page lists "User.ReadBasic.All and GroupMember.Read.All"). `null` means the
 * permission type is not supported for that endpoint.
 */
export interface Operation {
  doc: string;
  delegated: string[][] | null;
  application: string[][] | null;
  /** Resource units Entra charges (throttling limits page), sent as `x-ms-resource-unit`. */
  resourceUnits: number;
}

const DOCS = 'https://learn.microsoft.com/graph/api';
const each = (...perms: string[]): string[][] => perms.map((p) => [p]);

const DIRECTORY = ['Directory.Read.All', 'Directory.ReadWrite.All'];
/** Read every user's full profile. */
export const USER_FULL_READ = ['User.Read.All', 'User.ReadWrite.All', ...DIRECTORY, 'Directory.AccessAsUser.All'];
/** Read every user's basic profile (User.ReadBasic.All) or more. */
export const USER_BASIC_READ = ['User.ReadBasic.All', ...USER_FULL_READ];
/** Read the signed-in user's own profile. */
export const SELF_READ = ['User.Read', 'User.ReadWrite', ...USER_BASIC_READ];
/** Read groups, their properties and memberships. */
export const GROUP_READ = ['GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', ...DIRECTORY];

/** checkMemberGroups/getMemberGroups for a user: a user permission and a group permission together. */
const MEMBER_GROUPS_OTHERS = [
  ['User.ReadBasic.All', 'GroupMember.Read.All'],
  ['User.Read.All', 'GroupMember.Read.All'],
  ['User.ReadBasic.All', 'Group.Read.All'],
  ['User.Read.All', 'Group.Read.All'],
  ['Directory.Read.All'],
];
const MEMBER_GROUPS_APP = [['User.Read.All', 'GroupMember.Read.All'], ['User.Read.All', 'Group.Read.All'], ['Directory.Read.All']];

export const OPERATIONS = {
  'me.get': { doc: `${DOCS}/user-get`, delegated: each(...SELF_READ), application: null, resourceUnits: 1 },
  'users.list': { doc: `${DOCS}/user-list`, delegated: each(...USER_BASIC_READ), application: each(...USER_BASIC_READ), resourceUnits: 2 },
  'users.get': { doc: `${DOCS}/user-get`, delegated: each(...USER_BASIC_READ), application: each(...USER_BASIC_READ), resourceUnits: 1 },
  // user-delta lists User.Read first for delegated calls; other users then come back with basic properties.
  'users.delta': { doc: `${DOCS}/user-delta`, delegated: each('User.Read', 'User.ReadWrite', ...USER_BASIC_READ), application: each(...USER_FULL_READ), resourceUnits: 1 },
  'me.photo': { doc: `${DOCS}/profilephoto-get`, delegated: each(...SELF_READ), application: null, resourceUnits: 1 },
  'users.photo': { doc: `${DOCS}/profilephoto-get`, delegated: each(...USER_BASIC_READ), application: each('ProfilePhoto.Read.All', ...USER_BASIC_READ), resourceUnits: 1 },
  'groups.list': { doc: `${DOCS}/group-list`, delegated: each(...GROUP_READ), application: each(...GROUP_READ), resourceUnits: 1 },
  'groups.get': { doc: `${DOCS}/group-get`, delegated: each(...GROUP_READ), application: each(...GROUP_READ), resourceUnits: 1 },
  'groups.delta': { doc: `${DOCS}/group-delta`, delegated: each(...GROUP_READ), application: each(...GROUP_READ), resourceUnits: 1 },
  'groups.members': { doc: `${DOCS}/group-list-members`, delegated: each(...GROUP_READ), application: each(...GROUP_READ), resourceUnits: 1 },
  'groups.transitiveMembers': { doc: `${DOCS}/group-list-transitivemembers`, delegated: each(...GROUP_READ), application: each(...GROUP_READ), resourceUnits: 5 },
  'me.memberOf': { doc: `${DOCS}/user-list-memberof`, delegated: each('User.Read', ...USER_FULL_READ, ...GROUP_READ), application: null, resourceUnits: 1 },
  'me.transitiveMemberOf': { doc: `${DOCS}/user-list-transitivememberof`, delegated: each('User.Read', ...USER_FULL_READ, ...GROUP_READ), application: null, resourceUnits: 5 },
  'users.memberOf': { doc: `${DOCS}/user-list-memberof`, delegated: each(...USER_FULL_READ, ...GROUP_READ), application: each(...USER_FULL_READ, ...GROUP_READ), resourceUnits: 1 },
  'users.transitiveMemberOf': { doc: `${DOCS}/user-list-transitivememberof`, delegated: each(...USER_FULL_READ, ...GROUP_READ), application: each(...USER_FULL_READ, ...GROUP_READ), resourceUnits: 5 },
  'me.memberGroups': { doc: `${DOCS}/directoryobject-checkmembergroups`, delegated: [['User.Read'], ...MEMBER_GROUPS_OTHERS], application: null, resourceUnits: 1 },
  'users.memberGroups': { doc: `${DOCS}/directoryobject-checkmembergroups`, delegated: MEMBER_GROUPS_OTHERS, application: MEMBER_GROUPS_APP, resourceUnits: 1 },
} satisfies Record<string, Operation>;

export type OperationId = keyof typeof OPERATIONS;

/** The permissions a token carries: scopes for delegated tokens, roles for application tokens. */
export function grantedPermissions(caller: GraphCaller): string[] {
  return caller.userId ? caller.scopes : caller.roles;
}

export function hasAny(caller: GraphCaller, permissions: readonly string[]): boolean {
  const granted = new Set(grantedPermissions(caller));
  return permissions.some((p) => granted.has(p));
}

/**
 * Allows the request or throws 403 Authorization_RequestDenied, recording the denial. Sets
 * `x-ms-resource-unit` for allowed requests.
 */
export function authorize(svc: GraphServices, req: Request, res: Response, id: OperationId): void {
  const { caller } = callerOf(res);
  const op: Operation = OPERATIONS[id];
  if (!caller.userId && id.startsWith('me.')) {
    throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  }
  const required = (caller.userId ? op.delegated : op.application) ?? [];
  const granted = new Set(grantedPermissions(caller));
  if (required.some((all) => all.every((p) => granted.has(p)))) {
    res.setHeader('x-ms-resource-unit', String(op.resourceUnits));
    return;
  }
  deny(svc, req, res, required, `insufficient-privileges (${op.doc})`);
}

/** Records a 403 and throws it; also used when a query touches properties the token cannot read. */
export function deny(svc: GraphServices, req: Request, res: Response, required: string[][], reason: string): never {
  const { caller, tenant } = callerOf(res);
  svc.denials.record({
    status: 403,
    tenantId: tenant.id,
    appId: caller.appId,
    userId: caller.userId ?? null,
    method: req.method,
    path: req.originalUrl.split('?')[0] ?? req.originalUrl,
    reason,
    required,
    granted: grantedPermissions(caller),
  });
  svc.logger?.warn({ appId: caller.appId, path: req.originalUrl, required }, 'dev graph: insufficient privileges');
  throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}
