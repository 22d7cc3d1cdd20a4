import { describe, expect, it } from 'vitest';
import type { AccountFields } from '../../../src/core/policy/account-kind.js';
import {
  audienceKeyOf,
  audienceOfUser,
  mayReceive,
  receivingGroups,
  relevantGroups,
  visibleContactIds,
  type MembershipOracle,
} from '../../../src/core/policy/evaluate.js';
import { parsePolicy } from '../../../src/core/policy/policy.js';

const SALES_EU = '11111111-1111-4111-8111-111111111111';
const SALES_NA = '22222222-2222-4222-8222-222222222222';
const EXECUTIVES = '33333333-3333-4333-8333-333333333333';
const ENGINEERING = '44444444-4444-4444-8444-444444444444';
const SALES_UK = '55555555-5555-4555-8555-555555555555';
const SALES_LONDON = '66666666-6666-4666-8666-666666666666';

/** PRODUCT.md's example: Sales-EU and Sales-NA receive each other's members; Executives see both. */
const policy = parsePolicy({ version: 1, groups: [SALES_EU, SALES_NA], mappings: [{ audience: EXECUTIVES, visible: [SALES_EU, SALES_NA] }] });

/** An oracle over direct memberships, following nesting the way Graph's transitiveMemberOf does. */
function oracle(directGroupsOfUser: Record<string, string[]>, parentsOfGroup: Record<string, string[]>): MembershipOracle {
  return {
    *transitiveGroupsOf(userId) {
      const seen = new Set<string>();
      const queue = [...(directGroupsOfUser[userId] ?? [])];
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
        if (seen.has(g)) continue;
        seen.add(g);
        yield g;
        queue.push(...(parentsOfGroup[g] ?? []));
      }
    },
  };
}

describe('audienceKeyOf', () => {
  it('gives a user who is in none of the configured groups no contacts anywhere', () => {
    expect(audienceKeyOf(policy, new Set([ENGINEERING]))).toBeUndefined();
    expect(audienceKeyOf(policy, new Set())).toBeUndefined();
  });

  it('gives a member of one configured group the members of that group', () => {
    expect(audienceKeyOf(policy, new Set([SALES_EU]))).toEqual({ key: expect.stringMatching(/^[0-9a-f]{64}$/), receivingGroups: [SALES_EU], visibleGroups: [SALES_EU] });
  });

  it('gives a member of several configured groups the members of each of them', () => {
    expect(audienceKeyOf(policy, new Set([SALES_NA, SALES_EU]))).toMatchObject({ receivingGroups: [SALES_EU, SALES_NA], visibleGroups: [SALES_EU, SALES_NA] });
  });

  it('gives a member only the configured groups they belong to, not every configured group', () => {
    expect(audienceKeyOf(policy, new Set([SALES_NA]))?.visibleGroups).toEqual([SALES_NA]);
  });

  it('lets a mapping audience (Executives) see the members of its visible groups (Sales-EU and Sales-NA)', () => {
    expect(audienceKeyOf(policy, new Set([EXECUTIVES]))).toMatchObject({ receivingGroups: [EXECUTIVES], visibleGroups: [SALES_EU, SALES_NA] });
  });

  it('counts a mapping audience as a receiving group even when it is not among the basic groups', () => {
    expect(receivingGroups(policy)).toEqual(new Set([SALES_EU, SALES_NA, EXECUTIVES]));
    expect(audienceKeyOf(policy, new Set([EXECUTIVES]))).toBeDefined();
  });

  it('does not show the members of a mapping audience unless it is also a basic group', () => {
    expect(audienceKeyOf(policy, new Set([EXECUTIVES]))?.visibleGroups).not.toContain(EXECUTIVES);
    const withExecutives = parsePolicy({ ...policy, groups: [...policy.groups, EXECUTIVES] });
    expect(audienceKeyOf(withExecutives, new Set([EXECUTIVES]))?.visibleGroups).toEqual([SALES_EU, SALES_NA, EXECUTIVES].sort());
  });

  it('adds a mapping to the basic rule for a user in both', () => {
    expect(audienceKeyOf(policy, new Set([SALES_NA, EXECUTIVES]))?.visibleGroups).toEqual([SALES_EU, SALES_NA]);
  });

  it('gives the same audience key whatever the order of the groups, in the user or in the policy', () => {
    const a = audienceKeyOf(policy, new Set([SALES_EU, SALES_NA]))!;
    const b = audienceKeyOf(policy, new Set([SALES_NA, SALES_EU]))!;
    const reordered = parsePolicy({ ...policy, groups: [SALES_NA, SALES_EU] });
    expect(b.key).toBe(a.key);
    expect(audienceKeyOf(reordered, new Set([SALES_NA, SALES_EU]))!.key).toBe(a.key);
  });

  it('ignores groups the policy does not mention', () => {
    expect(audienceKeyOf(policy, new Set([SALES_EU, ENGINEERING]))!.key).toBe(audienceKeyOf(policy, new Set([SALES_EU]))!.key);
  });

  it('puts users who see the same groups in one audience, whichever rule brought them there', () => {
    const executive = audienceKeyOf(policy, new Set([EXECUTIVES]))!;
    const inBothSales = audienceKeyOf(policy, new Set([SALES_EU, SALES_NA]))!;
    expect(executive.key).toBe(inBothSales.key);
    expect(audienceKeyOf(policy, new Set([SALES_EU]))!.key).not.toBe(inBothSales.key);
  });
});

describe('audienceOfUser', () => {
  it('counts a member of a nested group as a member of the configured group', () => {
    const membership = oracle({ carol: [SALES_LONDON], gina: [ENGINEERING] }, { [SALES_LONDON]: [SALES_UK], [SALES_UK]: [SALES_EU] });
    expect(audienceOfUser(policy, membership, 'carol')).toMatchObject({ receivingGroups: [SALES_EU], visibleGroups: [SALES_EU] });
    expect(audienceOfUser(policy, membership, 'gina')).toBeUndefined();
  });

  it('survives a membership cycle', () => {
    const membership = oracle({ carol: [SALES_UK] }, { [SALES_UK]: [SALES_EU], [SALES_EU]: [SALES_UK] });
    expect(audienceOfUser(policy, membership, 'carol')?.visibleGroups).toEqual([SALES_EU]);
  });
});

describe('relevantGroups', () => {
  it('lists every group whose membership matters: basic groups, audiences and visible groups', () => {
    const p = parsePolicy({ version: 1, groups: [SALES_EU], mappings: [{ audience: EXECUTIVES, visible: [SALES_NA, ENGINEERING] }] });
    expect(relevantGroups(p)).toEqual(new Set([SALES_EU, EXECUTIVES, SALES_NA, ENGINEERING]));
  });
});

describe('mayReceive', () => {
  it('gives a disabled account nothing, so someone who left stops receiving the directory', () => {
    expect(mayReceive({ accountEnabled: false })).toBe(false);
    expect(mayReceive({ accountEnabled: true })).toBe(true);
  });
});

describe('visibleContactIds', () => {
  const account = (over: Partial<AccountFields> = {}): AccountFields => ({
    accountEnabled: true, userType: 'Member', assignedLicenses: [{}], showInAddressList: null, mail: 'x@contoso.example', ...over,
  });
  const users = new Map<string, AccountFields>([
    ['alice', account()],
    ['bob', account()],
    ['hal', account()],
    ['erin', account({ userType: 'Guest' })],
    ['rainier', account({ accountEnabled: false, assignedLicenses: [] })],
  ]);
  const members: Record<string, string[]> = { [SALES_EU]: ['hal', 'bob', 'rainier', 'alice', 'a-device'], [SALES_NA]: ['erin', 'hal'] };

  it('lists the members of the visible groups, each once, sorted, without excluded kinds or non-users', () => {
    const ids = visibleContactIds(policy, [SALES_EU, SALES_NA], (g) => members[g] ?? [], (id) => users.get(id));
    expect(ids).toEqual(['alice', 'bob', 'hal']);
  });

  it('shows excluded kinds once the policy stops excluding them', () => {
    const lenient = parsePolicy({ ...policy, exclude: { guests: false, roomsAndSharedMailboxes: false } });
    expect(visibleContactIds(lenient, [SALES_EU, SALES_NA], (g) => members[g] ?? [], (id) => users.get(id))).toEqual(['alice', 'bob', 'erin', 'hal', 'rainier']);
  });

  it('looks each member up once, however many visible groups they are in', () => {
    const looked: string[] = [];
    visibleContactIds(policy, [SALES_EU, SALES_NA], (g) => members[g] ?? [], (id) => (looked.push(id), users.get(id)));
    expect(looked.filter((id) => id === 'hal')).toHaveLength(1);
  });
});
