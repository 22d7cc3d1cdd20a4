import { describe, expect, it } from 'vitest';
import { audienceKeyOf } from '../../../src/core/policy/evaluate.js';
import { defaultPolicy, parsePolicy } from '../../../src/core/policy/policy.js';
import { previewPolicy, type PreviewUser } from '../../../src/core/policy/preview.js';

const SALES_EU = '11111111-1111-4111-8111-111111111111';
const SALES_NA = '22222222-2222-4222-8222-222222222222';
const EXECUTIVES = '33333333-3333-4333-8333-333333333333';
const ENGINEERING = '44444444-4444-4444-8444-444444444444';
const SALES_UK = '55555555-5555-4555-8555-555555555555';

/**
 * A small hand-built organisation (groups are transitive: Carol is in Sales-UK, nested in Sales-EU):
 *   Sales-EU: Alice, Bob, Carol (via Sales-UK), Hal, Conf Room Rainier (a room)
 *   Sales-NA: Dave, Erin (a guest), Pat (left: disabled, still licensed), Hal
 *   Executives: Frank          Engineering: Gina
 */
function person(id: string, groups: string[], over: Partial<PreviewUser> = {}): PreviewUser {
  return { id, groups: new Set(groups), accountEnabled: true, userType: 'Member', assignedLicenses: [{}], showInAddressList: null, mail: `${id}@contoso.example`, ...over };
}
const USERS: PreviewUser[] = [
  person('alice', [SALES_EU]),
  person('bob', [SALES_EU]),
  person('carol', [SALES_UK, SALES_EU]),
  person('hal', [SALES_EU, SALES_NA]),
  person('rainier', [SALES_EU], { accountEnabled: false, assignedLicenses: [] }),
  person('dave', [SALES_NA]),
  person('erin', [SALES_NA], { userType: 'Guest', assignedLicenses: [] }),
  person('pat', [SALES_NA], { accountEnabled: false }),
  person('frank', [EXECUTIVES]),
  person('gina', [ENGINEERING]),
];
const membersOf = (group: string) => USERS.filter((u) => u.groups.has(group)).map((u) => u.id);

const policy = parsePolicy({ version: 1, groups: [SALES_EU, SALES_NA], mappings: [{ audience: EXECUTIVES, visible: [SALES_EU, SALES_NA] }] });
const keyOf = (...groups: string[]) => audienceKeyOf(policy, new Set(groups))!.key;

describe('previewPolicy', () => {
  it('shows that under the default policy nobody receives anything', () => {
    expect(previewPolicy(defaultPolicy(), USERS, membersOf)).toEqual({ usersReceiving: 0, audiences: [], contactsPerUser: { min: 0, median: 0, max: 0 } });
  });

  it('counts the users who receive, their audiences and the contacts each audience sees', () => {
    const preview = previewPolicy(policy, USERS, membersOf);
    // Receiving: alice, bob, carol, hal, dave, erin (guests receive; exclusions govern who is shown), frank.
    // Not: gina (no configured group), rainier and pat (disabled accounts receive nothing).
    expect(preview.usersReceiving).toBe(7);
    expect(preview.audiences[0]).toEqual({ key: keyOf(SALES_EU), visibleGroups: [SALES_EU], users: 3, contacts: 4 }); // alice, bob, carol, hal
    expect(preview.audiences.slice(1)).toEqual(
      expect.arrayContaining([
        { key: keyOf(SALES_NA), visibleGroups: [SALES_NA], users: 2, contacts: 2 }, // dave, hal (erin a guest, pat disabled)
        { key: keyOf(EXECUTIVES), visibleGroups: [SALES_EU, SALES_NA], users: 2, contacts: 5 }, // hal and frank see both
      ]),
    );
    expect(preview.audiences).toHaveLength(3);
    expect(preview.contactsPerUser).toEqual({ min: 2, median: 4, max: 5 });
  });

  it('reflects a change of exclusions before it is saved', () => {
    const showGuests = parsePolicy({ ...policy, exclude: { guests: false } });
    const na = previewPolicy(showGuests, USERS, membersOf).audiences.find((a) => a.key === keyOf(SALES_NA));
    expect(na?.contacts).toBe(3);
  });

  it('takes the mean of the middle two as the median of an even count', () => {
    const four = USERS.filter((u) => ['alice', 'hal', 'dave', 'frank'].includes(u.id));
    // alice sees alice, hal; dave sees dave, hal; hal and frank see alice, hal, dave → 2 2 3 3
    expect(previewPolicy(policy, four, membersOf).contactsPerUser).toEqual({ min: 2, median: 2.5, max: 3 });
  });
});
