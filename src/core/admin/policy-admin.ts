import { DirectoryRepository, type UserFlags } from '../../store/directory-repository.js';
import { CONTACT_FIELDS, HIDEABLE_FIELDS, type ContactField } from '../policy/contact-fields.js';
import { relevantGroups } from '../policy/evaluate.js';
import { diffPolicy } from '../policy/policy-diff.js';
import { parsePolicy, PolicyError, validatePolicyReferences, type Policy } from '../policy/policy.js';
import { previewPolicy, type PolicyPreview, type PreviewUser } from '../policy/preview.js';
import type { GroupData } from '../sync/user-record.js';
import { loadPolicy } from '../tenant-policy.js';
import { MembershipGraph, transitiveMembership } from '../visibility/membership-graph.js';
import { accountFields } from '../visibility/recompute.js';
import type { AdminDirectoryDeps } from './group-search.js';

/** Group id → name, null for an id the synced directory does not hold (deleted, or never synced). */
export type GroupNames = Record<string, string | null>;

/** Every group a policy mentions, each once: basic groups, then each mapping's audience and visible groups. */
export function policyGroupIds(policy: Policy): string[] {
  return [...new Set([...policy.groups, ...policy.mappings.flatMap((m) => [m.audience, ...m.visible])])];
}

const CHUNK = 500;

/** Names of the given groups, decrypting only those (a policy names a few of a tenant's thousands). */
export async function groupNamesOf(deps: AdminDirectoryDeps, tenantId: string, ids: readonly string[]): Promise<GroupNames> {
  const directory = new DirectoryRepository(deps.db, deps.cipher);
  const names: GroupNames = Object.fromEntries(ids.map((id) => [id, null]));
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const g of await directory.getGroups<GroupData>(tenantId, ids.slice(i, i + CHUNK))) names[g.id] = g.data.displayName;
  }
  return names;
}

/** What the admin page's policy editor opens with. */
export async function policyForEditing(
  deps: AdminDirectoryDeps,
  tenantId: string,
): Promise<{ policy: Policy; version: number; groupNames: GroupNames; fields: { all: ContactField[]; hideable: ContactField[] } }> {
  const { policy, version } = await loadPolicy(deps, tenantId);
  return { policy, version, groupNames: await groupNamesOf(deps, tenantId, policyGroupIds(policy)), fields: { all: [...CONTACT_FIELDS], hideable: [...HIDEABLE_FIELDS] } };
}

export type TenantPolicyPreview = PolicyPreview & { changes: string[]; groupNames: GroupNames };

/**
 * What saving `input` would do to the tenant as synced now: how many users would receive contacts,
 * the audiences and their sizes, and the readable changes from the saved policy. Refuses what
 * savePolicy refuses (a malformed document, or groups the directory does not hold) with the same
 * PolicyError, and computes with the sync's own functions (transitive membership, account
 * classification, audiences, exclusions), so the figures are those the devices then get.
 * @throws PolicyError
 */
export async function previewTenantPolicy(deps: AdminDirectoryDeps, tenantId: string, input: unknown): Promise<TenantPolicyPreview> {
  const policy = parsePolicy(input);
  const directory = new DirectoryRepository(deps.db, deps.cipher);
  const names = new Map((await directory.getGroups<GroupData>(tenantId)).map((g) => [g.id, g.data.displayName]));
  const issues = validatePolicyReferences(policy, (id) => names.has(id));
  if (issues.length > 0) throw new PolicyError(issues);

  const graph = new MembershipGraph(await directory.memberships(tenantId));
  const { usersOf, groupsOfUser } = transitiveMembership(graph, relevantGroups(policy));
  const none: ReadonlySet<string> = new Set();
  const users = (await directory.userFlags(tenantId)).map((f: UserFlags): PreviewUser => ({ ...accountFields(f), id: f.id, groups: groupsOfUser.get(f.id) ?? none }));
  const preview = previewPolicy(policy, users, (groupId) => usersOf.get(groupId) ?? []);

  const saved = await loadPolicy(deps, tenantId);
  const nameOf = (id: string) => names.get(id) ?? undefined;
  const groupNames: GroupNames = Object.fromEntries(policyGroupIds(policy).map((id) => [id, names.get(id) ?? null]));
  return { ...preview, changes: diffPolicy(saved.policy, policy, nameOf), groupNames };
}
