import { describe, expect, it } from 'vitest';
import { accountKinds, excludedBy, type AccountFields } from '../../../src/core/policy/account-kind.js';
import { defaultPolicy, type Policy } from '../../../src/core/policy/policy.js';

const LICENCE = { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', disabledPlans: [] };
const person: AccountFields = { accountEnabled: true, userType: 'Member', assignedLicenses: [LICENCE], showInAddressList: null, mail: 'ada@contoso.example' };
const room: AccountFields = { accountEnabled: false, userType: 'Member', assignedLicenses: [], showInAddressList: null, mail: 'rainier@contoso.example' };
const leaver: AccountFields = { ...person, accountEnabled: false };
const guest: AccountFields = { ...person, userType: 'Guest', assignedLicenses: [] };
const hidden: AccountFields = { ...person, showInAddressList: false };

const allShown: Policy['exclude'] = { disabledAccounts: false, guests: false, roomsAndSharedMailboxes: false, hiddenFromAddressLists: false };
const only = (key: keyof Policy['exclude']): Pick<Policy, 'exclude'> => ({ exclude: { ...allShown, [key]: true } });

describe('accountKinds', () => {
  it('sees an enabled, licensed member as a plain person', () => {
    expect(accountKinds(person)).toEqual([]);
  });

  it('recognises a room or shared mailbox: disabled, no licence, has a mailbox', () => {
    expect(accountKinds(room)).toEqual(['room-or-shared-mailbox']);
  });

  it('sees a disabled account that still holds licences as a disabled person, not a room', () => {
    expect(accountKinds(leaver)).toEqual(['disabled-account']);
  });

  it('sees a disabled, unlicensed account without a mailbox as a disabled person, not a room', () => {
    expect(accountKinds({ ...room, mail: null })).toEqual(['disabled-account']);
  });

  it('never takes a blocked guest for a room', () => {
    expect(accountKinds({ ...guest, accountEnabled: false })).toEqual(['disabled-account', 'guest']);
  });

  it('recognises guests by userType', () => {
    expect(accountKinds(guest)).toEqual(['guest']);
  });

  it('recognises accounts hidden from address lists, and treats an unset flag as shown', () => {
    expect(accountKinds(hidden)).toEqual(['hidden-from-address-lists']);
    expect(accountKinds({ ...person, showInAddressList: true })).toEqual([]);
  });

  it('accepts a licence count in place of the licence list', () => {
    expect(accountKinds({ ...room, assignedLicenses: 0 })).toEqual(['room-or-shared-mailbox']);
    expect(accountKinds({ ...room, assignedLicenses: 2 })).toEqual(['disabled-account']);
  });
});

describe('excludedBy', () => {
  it('shows everyone when no exclusion is on', () => {
    for (const user of [person, room, leaver, guest, hidden]) expect(excludedBy({ exclude: allShown }, user)).toBeUndefined();
  });

  it('excludes disabled accounts when disabledAccounts is on, but not rooms', () => {
    expect(excludedBy(only('disabledAccounts'), leaver)).toBe('disabled-account');
    expect(excludedBy(only('disabledAccounts'), room)).toBeUndefined();
  });

  it('excludes guests when guests is on', () => {
    expect(excludedBy(only('guests'), guest)).toBe('guest');
    expect(excludedBy(only('guests'), person)).toBeUndefined();
  });

  it('excludes rooms and shared mailboxes when roomsAndSharedMailboxes is on, but not people who left', () => {
    expect(excludedBy(only('roomsAndSharedMailboxes'), room)).toBe('room-or-shared-mailbox');
    expect(excludedBy(only('roomsAndSharedMailboxes'), leaver)).toBeUndefined();
  });

  it('excludes accounts hidden from address lists when hiddenFromAddressLists is on', () => {
    expect(excludedBy(only('hiddenFromAddressLists'), hidden)).toBe('hidden-from-address-lists');
  });

  it('gives the first matching reason for an account of several kinds', () => {
    const hiddenGuest = { ...guest, showInAddressList: false };
    expect(excludedBy(defaultPolicy(), hiddenGuest)).toBe('guest');
    expect(excludedBy(only('hiddenFromAddressLists'), hiddenGuest)).toBe('hidden-from-address-lists');
  });
});
