import type { Policy, PolicyIssue } from '../../../src/server/tab-api-types';

/** Pure helpers for the policy editor's draft: comparing, local checks, and placing server issues. */

type Exclusion = keyof Policy['exclude'];

export const EXCLUSIONS: { key: Exclusion; label: string; hint: string }[] = [
  { key: 'disabledAccounts', label: 'Disabled accounts', hint: 'People whose account is switched off, for example after leaving.' },
  { key: 'guests', label: 'Guests', hint: 'Accounts invited from other organisations.' },
  { key: 'roomsAndSharedMailboxes', label: 'Rooms and shared mailboxes', hint: 'Meeting rooms, equipment and shared mailboxes.' },
  { key: 'hiddenFromAddressLists', label: 'Accounts hidden from address lists', hint: 'Accounts an Exchange administrator hid from the global address list.' },
];

/** The policy in a canonical form: order of groups, fields and mappings does not change its meaning. */
function canonical(policy: Policy): string {
  const sorted = (list: readonly string[]) => [...list].sort();
  return JSON.stringify({
    version: policy.version,
    groups: sorted(policy.groups),
    mappings: [...policy.mappings].map((m) => ({ audience: m.audience, visible: sorted(m.visible) })).sort((a, b) => (a.audience < b.audience ? -1 : a.audience > b.audience ? 1 : 0)),
    exclude: EXCLUSIONS.map(({ key }) => policy.exclude[key]),
    hiddenFields: sorted(policy.hiddenFields),
  });
}

export function samePolicy(a: Policy, b: Policy): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Problems the page can see before asking the server: an unfinished or duplicated mapping. Paths as
 * the server reports them, so both kinds of issue are shown in the same places.
 */
export function localIssues(policy: Policy): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const firstRow = new Map<string, number>();
  policy.mappings.forEach((m, i) => {
    if (!m.audience) issues.push({ path: `mappings[${i}].audience`, message: 'Choose the audience group.' });
    else if (firstRow.has(m.audience)) {
      issues.push({ path: `mappings[${i}].audience`, message: `This group already has a mapping (row ${firstRow.get(m.audience)! + 1}); add the groups there instead.` });
    } else firstRow.set(m.audience, i);
    if (m.visible.length === 0) issues.push({ path: `mappings[${i}].visible`, message: 'Choose at least one group whose members the audience sees.' });
  });
  return issues;
}

/** Where an issue is shown: a field of the editor, or the general list when no field matches. */
export type IssueSlot = 'groups' | 'mappings' | `mapping:${number}` | `mapping:${number}:audience` | `mapping:${number}:visible` | 'exclude' | 'hiddenFields' | 'general';

export function issueSlot(path: string, mappingCount: number): IssueSlot {
  if (/^groups(\[|$)/.test(path)) return 'groups';
  if (/^exclude(\.|$)/.test(path)) return 'exclude';
  if (/^hiddenFields(\[|$)/.test(path)) return 'hiddenFields';
  const mapping = /^mappings(?:\[(\d+)\](?:\.(audience|visible))?)?/.exec(path);
  if (mapping) {
    if (mapping[1] === undefined) return 'mappings';
    const row = Number(mapping[1]);
    if (row >= mappingCount) return 'mappings';
    return mapping[2] ? (`mapping:${row}:${mapping[2]}` as IssueSlot) : `mapping:${row}`;
  }
  return 'general';
}

export type PlacedIssues = Map<IssueSlot, string[]>;

/**
 * Issues grouped by slot, each as a sentence. A message about a group id names the group as well,
 * so "group '…' does not exist" reads "Sales EU: group '…' does not exist".
 */
export function placeIssues(issues: readonly PolicyIssue[], policy: Policy, groupName: (id: string) => string): PlacedIssues {
  const placed: PlacedIssues = new Map();
  for (const issue of issues) {
    const slot = issueSlot(issue.path, policy.mappings.length);
    const id = groupAt(policy, issue.path);
    const subject = id ? groupName(id) : slot === 'general' && issue.path ? issue.path : '';
    // "Unknown group (id): group 'id' does not exist" says the id twice; a known name is worth adding.
    const mentioned = issue.message.includes(subject) || (id !== undefined && subject.includes(id) && issue.message.includes(id));
    const text = subject && !mentioned ? `${subject}: ${issue.message}` : issue.message;
    placed.set(slot, [...(placed.get(slot) ?? []), text]);
  }
  return placed;
}

/** The group id an issue path points at (`groups[2]`, `mappings[0].visible[1]`, `mappings[0].audience`). */
function groupAt(policy: Policy, path: string): string | undefined {
  let m = /^groups\[(\d+)\]$/.exec(path);
  if (m) return policy.groups[Number(m[1])];
  m = /^mappings\[(\d+)\]\.audience$/.exec(path);
  if (m) return policy.mappings[Number(m[1])]?.audience || undefined;
  m = /^mappings\[(\d+)\]\.visible\[(\d+)\]$/.exec(path);
  if (m) return policy.mappings[Number(m[1])]?.visible[Number(m[2])];
  return undefined;
}
