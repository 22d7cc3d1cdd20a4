import { createHash } from 'node:crypto';
import { excludedBy, type AccountFields } from './account-kind.js';
import type { Policy } from './policy.js';

/**
 * The audience model: who receives contacts, and which.
 *
 * Receiving (PRODUCT.md "Group filtering: the rule"): a user receives contacts iff they are,
 * transitively, in at least one *receiving group*. Receiving groups are the policy's `groups` and every
 * mapping `audience`: the admin page describes the policy as "groups that receive contacts and those
 * whose members are shown", so an administrator who maps Executives → Sales-EU has configured
 * Executives as a group that receives, whether or not it is also listed in `groups`. A user in
 * neither receives nothing.
 *
 * What they see: the members of the basic groups they are in, plus the members of the `visible`
 * groups of every mapping whose audience they are in. A mapping audience that is not in `groups` does
 * not show its own members (it is only an audience); list it in `groups` as well for that.
 *
 * Users who see the same groups see the same contacts (exclusions and hidden fields are tenant-wide),
 * so they share an *audience*: the sync computes each audience's contacts once, not once per user.
 *
 * Exclusions decide who is *shown*, not who receives: a guest whom an administrator put in a
 * receiving group receives contacts. A disabled account receives nothing whatever its groups
 * (mayReceive): someone who left the company must stop getting the directory on their devices.
 */

/** Where the sync learns a user's groups: every group they are in, directly or through nesting. */
export interface MembershipOracle {
  transitiveGroupsOf(userId: string): Iterable<string>;
}

export interface Audience {
  /** Stable id of the audience: the same for every user who sees the same groups, whatever their order. */
  key: string;
  /** The receiving groups (basic groups and mapping audiences) the user is in, sorted. */
  receivingGroups: string[];
  /** The groups whose members the user sees, sorted. Never empty. */
  visibleGroups: string[];
}

interface CompiledPolicy {
  basic: Set<string>;
  visibleByAudience: Map<string, string[]>;
  relevant: Set<string>;
}

// Per policy object (policies are values: parsed, stored, replaced, never mutated). audienceKeyOf
// runs once per user of the tenant while the policy changes rarely.
const compiled = new WeakMap<Policy, CompiledPolicy>();

function compile(policy: Policy): CompiledPolicy {
  let c = compiled.get(policy);
  if (!c) {
    const basic = new Set(policy.groups);
    const visibleByAudience = new Map(policy.mappings.map((m) => [m.audience, m.visible]));
    const relevant = new Set([...basic, ...policy.mappings.flatMap((m) => [m.audience, ...m.visible])]);
    c = { basic, visibleByAudience, relevant };
    compiled.set(policy, c);
  }
  return c;
}

/** Every group whose (transitive) membership the policy depends on: basic groups, audiences, visible groups. */
export function relevantGroups(policy: Policy): Set<string> {
  return new Set(compile(policy).relevant);
}

/** The groups whose members receive contacts: basic groups and mapping audiences. */
export function receivingGroups(policy: Policy): Set<string> {
  const { basic, visibleByAudience } = compile(policy);
  return new Set([...basic, ...visibleByAudience.keys()]);
}

/**
 * The audience of a user who is (transitively) in `groupsOfUser`, or undefined when they receive
 * nothing. Groups the policy does not mention are ignored, so the set may be all of the user's groups.
 */
export function audienceKeyOf(policy: Policy, groupsOfUser: ReadonlySet<string>): Audience | undefined {
  const { basic, visibleByAudience } = compile(policy);
  const receiving = new Set<string>();
  const visible = new Set<string>();
  for (const group of groupsOfUser) {
    if (basic.has(group)) {
      receiving.add(group);
      visible.add(group);
    }
    const mapped = visibleByAudience.get(group);
    if (mapped) {
      receiving.add(group);
      for (const v of mapped) visible.add(v);
    }
  }
  if (receiving.size === 0) return undefined;
  const visibleGroups = [...visible].sort();
  return { key: audienceKey(visibleGroups), receivingGroups: [...receiving].sort(), visibleGroups };
}

/**
 * Keyed on the visible groups rather than the receiving ones: two users who reach the same groups by
 * different routes (an Executive mapped to Sales, and a member of Sales) see the same contacts, so they
 * share one audience, and an audience keeps its key across policy edits that do not change what it
 * sees. Versioned so a future change of keying cannot collide with stored keys.
 */
function audienceKey(sortedVisibleGroups: string[]): string {
  return createHash('sha256').update(`audience/v1\n${sortedVisibleGroups.join('\n')}`).digest('hex');
}

/** The audience of one user, asking the oracle for their groups. */
export function audienceOfUser(policy: Policy, oracle: MembershipOracle, userId: string): Audience | undefined {
  const { relevant } = compile(policy);
  const groups = new Set<string>();
  for (const group of oracle.transitiveGroupsOf(userId)) if (relevant.has(group)) groups.add(group);
  return audienceKeyOf(policy, groups);
}

/** Whether an account can receive contacts at all: disabled accounts (people who left, rooms) cannot. */
export function mayReceive(user: Pick<AccountFields, 'accountEnabled'>): boolean {
  return user.accountEnabled;
}

/**
 * The contacts an audience sees: the users among the transitive members of its visible groups, each
 * once, without the kinds of account the policy excludes, sorted. `membersOf` may also yield ids that
 * are not users (devices, org contacts, service principals): `userOf` returns undefined for those and
 * they are skipped. One pass over the members and one lookup per distinct member.
 */
export function visibleContactIds(
  policy: Pick<Policy, 'exclude'>,
  visibleGroups: Iterable<string>,
  membersOf: (groupId: string) => Iterable<string>,
  userOf: (userId: string) => AccountFields | undefined,
): string[] {
  const seen = new Set<string>();
  const shown: string[] = [];
  for (const group of visibleGroups) {
    for (const id of membersOf(group)) {
      if (seen.has(id)) continue;
      seen.add(id);
      const user = userOf(id);
      if (user && !excludedBy(policy, user)) shown.push(id);
    }
  }
  return shown.sort();
}
