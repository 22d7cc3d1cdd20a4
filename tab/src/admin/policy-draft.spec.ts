import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/server/tab-api-types';
import { issueSlot, localIssues, placeIssues, samePolicy } from './policy-draft';

const A = 'aaaaaaaa-0000-0000-0000-000000000001';
const B = 'bbbbbbbb-0000-0000-0000-000000000002';
const C = 'cccccccc-0000-0000-0000-000000000003';

function policy(over: Partial<Policy> = {}): Policy {
  return {
    version: 1,
    groups: [A, B],
    mappings: [{ audience: C, visible: [A, B] }],
    exclude: { disabledAccounts: true, guests: true, roomsAndSharedMailboxes: true, hiddenFromAddressLists: true },
    hiddenFields: ['mobilePhone', 'city'],
    ...over,
  };
}

describe('samePolicy', () => {
  it('ignores the order of groups, visible groups, mappings and hidden fields', () => {
    const reordered = policy({ groups: [B, A], mappings: [{ audience: C, visible: [B, A] }], hiddenFields: ['city', 'mobilePhone'] });
    expect(samePolicy(policy(), reordered)).toBe(true);
  });

  it('sees every real change', () => {
    expect(samePolicy(policy(), policy({ groups: [A] }))).toBe(false);
    expect(samePolicy(policy(), policy({ exclude: { ...policy().exclude, guests: false } }))).toBe(false);
    expect(samePolicy(policy(), policy({ hiddenFields: ['city'] }))).toBe(false);
    expect(samePolicy(policy(), policy({ mappings: [{ audience: C, visible: [A] }] }))).toBe(false);
  });
});

describe('localIssues', () => {
  it('flags unfinished and duplicated mappings, at the paths the server uses', () => {
    const issues = localIssues(policy({ mappings: [{ audience: C, visible: [A] }, { audience: '', visible: [] }, { audience: C, visible: [B] }] }));
    expect(issues.map((i) => i.path)).toEqual(['mappings[1].audience', 'mappings[1].visible', 'mappings[2].audience']);
  });

  it('is empty for a complete policy', () => {
    expect(localIssues(policy())).toEqual([]);
  });
});

describe('placing server issues', () => {
  it('maps paths to the editor field that shows them', () => {
    expect(issueSlot('groups', 1)).toBe('groups');
    expect(issueSlot('groups[3]', 1)).toBe('groups');
    expect(issueSlot('mappings', 1)).toBe('mappings');
    expect(issueSlot('mappings[0]', 1)).toBe('mapping:0');
    expect(issueSlot('mappings[0].audience', 1)).toBe('mapping:0:audience');
    expect(issueSlot('mappings[0].visible[2]', 1)).toBe('mapping:0:visible');
    expect(issueSlot('mappings[5].visible', 1)).toBe('mappings');
    expect(issueSlot('exclude.guests', 1)).toBe('exclude');
    expect(issueSlot('hiddenFields[0]', 1)).toBe('hiddenFields');
    expect(issueSlot('', 1)).toBe('general');
    expect(issueSlot('hiddenfields', 1)).toBe('general');
  });

  it('names the group an issue is about, once', () => {
    const names: Record<string, string> = { [B]: 'Sales EU' };
    const label = (id: string) => names[id] ?? `Unknown group (${id})`;
    const placed = placeIssues(
      [
        { path: 'groups[1]', message: `group '${B}' does not exist in the directory` },
        { path: 'mappings[0].audience', message: `group '${C}' does not exist in the directory` },
        { path: 'hiddenfields', message: 'is not a policy field' },
      ],
      policy(),
      label,
    );
    expect(placed.get('groups')).toEqual([`Sales EU: group '${B}' does not exist in the directory`]);
    expect(placed.get('mapping:0:audience')).toEqual([`group '${C}' does not exist in the directory`]);
    expect(placed.get('general')).toEqual(['hiddenfields: is not a policy field']);
  });
});
