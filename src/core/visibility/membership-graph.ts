import type { Membership } from '../../store/directory-repository.js';

/**
 * A tenant's membership links in memory (ids only), answering transitive questions the way Graph's
 * transitiveMembers does: through nested groups, each member once, cycles tolerated.
 */
export class MembershipGraph {
  private readonly members = new Map<string, Membership[]>();

  constructor(links: Iterable<Membership>) {
    for (const link of links) {
      let list = this.members.get(link.groupId);
      if (!list) this.members.set(link.groupId, (list = []));
      list.push(link);
    }
  }

  /** User ids reached from the group through any depth of nesting. */
  transitiveUsers(groupId: string): Set<string> {
    const users = new Set<string>();
    const seenGroups = new Set([groupId]);
    const queue = [groupId];
    while (queue.length > 0) {
      for (const m of this.members.get(queue.pop()!) ?? []) {
        if (m.memberType === 'user') users.add(m.memberId);
        else if (!seenGroups.has(m.memberId)) {
          seenGroups.add(m.memberId);
          queue.push(m.memberId);
        }
      }
    }
    return users;
  }
}

/** Who is in which of a set of groups, both ways, nested groups included. */
export interface TransitiveMembership {
  /** Each group's transitive users. */
  usersOf: Map<string, Set<string>>;
  /** Each user found: which of the groups they are in. */
  groupsOfUser: Map<string, Set<string>>;
}

/**
 * The transitive membership of the groups a policy depends on (relevantGroups), indexed both ways:
 * what the sync's recompute and the admin page's preview both start from, so they cannot disagree.
 */
export function transitiveMembership(graph: Pick<MembershipGraph, 'transitiveUsers'>, groups: Iterable<string>): TransitiveMembership {
  const usersOf = new Map<string, Set<string>>();
  const groupsOfUser = new Map<string, Set<string>>();
  for (const group of groups) {
    const users = graph.transitiveUsers(group);
    usersOf.set(group, users);
    for (const u of users) {
      let set = groupsOfUser.get(u);
      if (!set) groupsOfUser.set(u, (set = new Set()));
      set.add(group);
    }
  }
  return { usersOf, groupsOfUser };
}
