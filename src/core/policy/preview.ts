import type { AccountFields } from './account-kind.js';
import { audienceKeyOf, mayReceive, visibleContactIds } from './evaluate.js';
import type { Policy } from './policy.js';

/** A directory user as the preview needs it: account fields plus their transitive groups. */
export interface PreviewUser extends AccountFields {
  id: string;
  groups: ReadonlySet<string>;
}

export interface PolicyPreview {
  /** Users who would receive contacts: in a receiving group, account enabled. */
  usersReceiving: number;
  /** Largest audiences first (then by key), so the admin page can show the top few. */
  audiences: { key: string; visibleGroups: string[]; users: number; contacts: number }[];
  /** Over the receiving users; all 0 when nobody receives. The median of an even count is the mean of the middle two. */
  contactsPerUser: { min: number; median: number; max: number };
}

/**
 * What a policy would do, for the admin page's "preview the effect before saving". Runs the same
 * functions as the sync, so the preview cannot disagree with what devices then get. Each audience's
 * contacts are computed once; the cost is the users plus the members of the groups audiences see.
 */
export function previewPolicy(policy: Policy, users: Iterable<PreviewUser>, members: (groupId: string) => Iterable<string>): PolicyPreview {
  const byId = new Map<string, PreviewUser>();
  const audiences = new Map<string, { visibleGroups: string[]; users: number; contacts: number }>();
  for (const user of users) {
    byId.set(user.id, user);
    if (!mayReceive(user)) continue;
    const audience = audienceKeyOf(policy, user.groups);
    if (!audience) continue;
    const entry = audiences.get(audience.key) ?? { visibleGroups: audience.visibleGroups, users: 0, contacts: 0 };
    entry.users += 1;
    audiences.set(audience.key, entry);
  }

  const perUser: number[] = [];
  for (const entry of audiences.values()) {
    entry.contacts = visibleContactIds(policy, entry.visibleGroups, members, (id) => byId.get(id)).length;
    for (let i = 0; i < entry.users; i++) perUser.push(entry.contacts);
  }
  perUser.sort((a, b) => a - b);

  return {
    usersReceiving: perUser.length,
    audiences: [...audiences]
      .map(([key, a]) => ({ key, ...a }))
      .sort((a, b) => b.users - a.users || (a.key < b.key ? -1 : 1)),
    contactsPerUser: { min: perUser[0] ?? 0, median: median(perUser), max: perUser.at(-1) ?? 0 },
  };
}

function median(sorted: number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
