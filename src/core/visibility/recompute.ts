import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { DirectoryRepository, type UserFlags } from '../../store/directory-repository.js';
import { FeedRepository, type FeedChange } from '../../store/feed-repository.js';
import type { DatabaseSchema } from '../../store/schema.js';
import type { AccountFields } from '../policy/account-kind.js';
import { audienceKeyOf, mayReceive, relevantGroups, visibleContactIds, type Audience } from '../policy/evaluate.js';
import type { Policy } from '../policy/policy.js';
import { MembershipGraph, transitiveMembership } from './membership-graph.js';

export interface VisibilityDeps {
  db: Kysely<DatabaseSchema>;
  cipher: FieldCipher;
}

export interface ContentChanges {
  /** Users whose fields changed: every audience that shows them records an upsert. */
  changedUsers: ReadonlySet<string>;
  /** Every contact's card changed (hidden fields or other tenant-wide presentation). */
  allContent: boolean;
}

export interface VisibilityResult {
  feedEntries: number;
  audiences: number;
  usersReceiving: number;
}

/**
 * Brings the tenant's audiences, their contact sets and the change feed in line with the directory
 * and the policy. Users who see the same groups share an audience; a contact entering or leaving an
 * audience, or changing, becomes one feed entry for that audience. Works on ids and plain flags only:
 * nothing is decrypted. One transaction, so devices never see half a recompute.
 */
export async function recomputeVisibility(deps: VisibilityDeps, tenantId: string, policy: Policy, content: ContentChanges): Promise<VisibilityResult> {
  const apply = await planVisibility(deps, tenantId, policy, content);
  return deps.db.transaction().execute(apply);
}

/**
 * The recompute in two steps: reads the directory's flags and memberships now, and returns the
 * write step for the caller to run inside its own transaction. Saving a policy runs it in the
 * transaction that stores the policy, so a policy is never in force in the store without being
 * applied to the audiences (a crash or error in between would leave devices on the old policy).
 */
export async function planVisibility(deps: VisibilityDeps, tenantId: string, policy: Policy, content: ContentChanges): Promise<(trx: Kysely<DatabaseSchema>) => Promise<VisibilityResult>> {
  const directory = new DirectoryRepository(deps.db, deps.cipher);
  const flags = new Map((await directory.userFlags(tenantId)).map((f) => [f.id, f]));
  const graph = new MembershipGraph(await directory.memberships(tenantId));
  const { usersOf, groupsOfUser } = transitiveMembership(graph, relevantGroups(policy));

  const byKey = new Map<string, { audience: Audience; users: string[] }>();
  for (const [userId, groups] of groupsOfUser) {
    const f = flags.get(userId);
    if (!f || !mayReceive(accountFields(f))) continue;
    const audience = audienceKeyOf(policy, groups);
    if (!audience) continue;
    const entry = byKey.get(audience.key);
    if (entry) entry.users.push(userId);
    else byKey.set(audience.key, { audience, users: [userId] });
  }

  return async (trx) => {
    const feed = new FeedRepository(trx);
    const existing = new Map((await feed.audiences(tenantId)).map((a) => [a.key, a.id]));
    for (const [key, { audience }] of byKey) {
      if (!existing.has(key)) existing.set(key, await feed.createAudience(tenantId, key, audience.visibleGroups));
    }
    let feedEntries = 0;
    // Audiences nobody is in any more are emptied, not deleted: a device holding a token for one
    // then learns that its contacts went away.
    for (const [key, audienceId] of existing) {
      const entry = byKey.get(key);
      const target = entry
        ? visibleContactIds(policy, entry.audience.visibleGroups, (g) => usersOf.get(g) ?? [], (id) => {
            const f = flags.get(id);
            return f && accountFields(f);
          })
        : [];
      const current = await feed.audienceContacts(audienceId);
      const targetSet = new Set(target);
      const ops: Omit<FeedChange, 'seq'>[] = [];
      for (const id of target) {
        if (!current.has(id) || content.allContent || content.changedUsers.has(id)) ops.push({ contactId: id, op: 'upsert' });
      }
      for (const id of current.keys()) if (!targetSet.has(id)) ops.push({ contactId: id, op: 'remove' });
      if (ops.length === 0) continue;
      // In key order, a large change (an audience's first population) writes the contact set's index
      // page after page instead of dirtying a random page per contact; the changes of one recompute
      // are simultaneous, so their order in the feed carries no meaning.
      ops.sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
      const first = await feed.allocateSeq(tenantId, ops.length);
      await feed.applyChanges(tenantId, audienceId, ops.map((o, i) => ({ ...o, seq: first + i })));
      feedEntries += ops.length;
    }

    const before = await feed.userAudiences(tenantId);
    const after = new Map<string, number>();
    for (const [key, { users }] of byKey) for (const u of users) after.set(u, existing.get(key)!);
    const set = [...after].filter(([u, a]) => before.get(u) !== a);
    const remove = [...before.keys()].filter((u) => !after.has(u));
    await feed.setUserAudiences(tenantId, set, remove);
    return { feedEntries, audiences: byKey.size, usersReceiving: after.size };
  };
}

/** The policy's view of a stored user, from plain flags (the sealed fields are not needed); the preview uses it too. */
export function accountFields(f: UserFlags): AccountFields {
  return {
    accountEnabled: f.accountEnabled,
    userType: f.isGuest ? 'Guest' : 'Member',
    assignedLicenses: f.isLicensed ? 1 : 0,
    showInAddressList: f.hidden ? false : null,
    // Only whether there is a mailbox matters to the classification, not the address.
    mail: f.hasMail ? 'mailbox' : null,
  };
}
