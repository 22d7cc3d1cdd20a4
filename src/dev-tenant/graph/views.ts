import type { Request, Response } from 'express';
import type { DevDirectory, DevGroup, DevUser } from '../directory.js';
import type { GraphCaller } from '../tokens.js';
import type { Source } from './collection.js';
import { GROUP, project, USER, type EntityType, type View } from './entities.js';
import type { GraphServices } from './graph-context.js';
import type { CompiledFilter } from './odata-filter.js';
import { deny, GROUP_READ, hasAny, SELF_READ, USER_BASIC_READ, USER_FULL_READ } from './permissions.js';

/**
 * How much of an object a caller may read. A user: the full profile with User.Read.All (or the
 * caller's own with User.Read), the basic profile with User.ReadBasic.All
 * (https://learn.microsoft.com/graph/permissions-reference#userreadbasicall). Without a permission
 * for an object's type, relationship lists return it with only `@odata.type` and `id`
 * ("limited information", https://learn.microsoft.com/graph/api/group-list-members).
 */
export function userView(caller: GraphCaller, userId: string): View {
  if (hasAny(caller, USER_FULL_READ)) return 'full';
  if (caller.userId === userId && hasAny(caller, SELF_READ)) return 'full';
  return hasAny(caller, USER_BASIC_READ) ? 'basic' : 'limited';
}

export function groupView(caller: GraphCaller): View {
  return hasAny(caller, GROUP_READ) ? 'full' : 'limited';
}

/**
 * A filter may only read what the caller can read: filtering users on a property outside the basic
 * profile would disclose it, so with User.ReadBasic.All such a filter is refused with 403.
 */
export function checkFilterReadable(svc: GraphServices, req: Request, res: Response, caller: GraphCaller, filter: CompiledFilter<DevUser> | undefined): void {
  if (!filter || hasAny(caller, USER_FULL_READ)) return;
  const hidden = [...filter.properties].filter((p) => !USER.properties[p]?.basic);
  if (hidden.length > 0) deny(svc, req, res, USER_FULL_READ.map((p) => [p]), `filter reads ${hidden.join(', ')}, outside the basic profile`);
}

/** Live users in creation order, without copying 100k entries per page. */
export function userSource(dir: DevDirectory): Source<DevUser> {
  const order = dir.users.creationOrder;
  return {
    length: order.length,
    at: (i) => {
      const t = dir.users.byId.get(order[i]!);
      return t && !t.removed ? t.value : undefined;
    },
  };
}

export function groupSource(dir: DevDirectory): Source<DevGroup> {
  const order = dir.groups.creationOrder;
  return {
    length: order.length,
    at: (i) => {
      const t = dir.groups.byId.get(order[i]!);
      return t && !t.removed ? t.value : undefined;
    },
  };
}

/** Sort key for $orderby: the property's value as a string. */
export function sortKey<T>(type: EntityType<T>): (item: T, prop: string) => string {
  return (item, prop) => String(type.properties[prop]?.get(item) ?? '');
}

/** A directory object in a relationship list: `@odata.type` first, then its properties. */
export function directoryObject(
  dir: DevDirectory,
  caller: GraphCaller,
  member: { id: string; type: 'user' | 'group' },
  select: readonly string[] | undefined,
): Record<string, unknown> | undefined {
  if (member.type === 'user') {
    const user = dir.getUser(member.id);
    return user && { '@odata.type': USER.odataType, ...project(USER, user, select && onlyKnown(USER, select), userView(caller, user.id)) };
  }
  const group = dir.getGroup(member.id);
  return group && { '@odata.type': GROUP.odataType, ...project(GROUP, group, select && onlyKnown(GROUP, select), groupView(caller)) };
}

function onlyKnown<T>(type: EntityType<T>, select: readonly string[]): string[] {
  return select.filter((p) => p in type.properties);
}
