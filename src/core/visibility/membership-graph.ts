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
