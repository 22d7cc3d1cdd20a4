import type { Policy } from './policy.js';

/** The Graph user properties (v1.0, readable with User.Read.All) that classify an account. */
export interface AccountFields {
  accountEnabled: boolean;
  userType: 'Member' | 'Guest' | (string & {}) | null;
  /** The licences, or only how many: a stored user may keep the count, which is all classification needs. */
  assignedLicenses: readonly unknown[] | number;
  showInAddressList: boolean | null;
  mail: string | null;
}

/** Kinds of account a policy can exclude from being shown; a user may be of several kinds at once. */
export const ACCOUNT_KINDS = ['disabled-account', 'guest', 'room-or-shared-mailbox', 'hidden-from-address-lists'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** The policy switch that excludes each kind. */
export const EXCLUSION_OF: Record<AccountKind, keyof Policy['exclude']> = {
  'disabled-account': 'disabledAccounts',
  guest: 'guests',
  'room-or-shared-mailbox': 'roomsAndSharedMailboxes',
  'hidden-from-address-lists': 'hiddenFromAddressLists',
};

/**
 * Classifies an account, in the order of ACCOUNT_KINDS.
 *
 * Rooms and shared mailboxes: Graph v1.0 does not expose the mailbox type (that needs Exchange or
 * MailboxSettings permissions, which Switchboard does not ask for), so they are recognised the way
 * administrators commonly do: Exchange creates them as *disabled* user accounts with *no licence* and a
 * *mailbox* (`mail` set). Consequences, deliberate:
 * - a disabled account that still holds licences is a person whose account was switched off (someone
 *   who left, or is suspended): a `disabled-account`, not a room;
 * - a room is not also a `disabled-account`, so an administrator can show rooms while hiding people
 *   who left (and the reverse) — being disabled is how rooms are made, not a sign they are gone;
 * - guests are never rooms (a disabled, unlicensed guest with an address is a guest that was blocked);
 * - a licensed room or shared mailbox (over 50 GB, or with archiving) is seen as a disabled person,
 *   and an enabled one as a person; both are rare and visible to the administrator in the preview.
 */
export function accountKinds(user: AccountFields): AccountKind[] {
  const kinds: AccountKind[] = [];
  const guest = user.userType?.toLowerCase() === 'guest';
  if (!user.accountEnabled) {
    const licences = typeof user.assignedLicenses === 'number' ? user.assignedLicenses : user.assignedLicenses.length;
    const looksLikeMailbox = !guest && licences === 0 && !!user.mail;
    kinds.push(looksLikeMailbox ? 'room-or-shared-mailbox' : 'disabled-account');
  }
  if (guest) kinds.push('guest');
  // null means Graph did not say (most tenants never set it): shown, as Outlook does.
  if (user.showInAddressList === false) kinds.push('hidden-from-address-lists');
  return kinds;
}

/** Why the policy keeps this account out of everyone's contacts, or undefined when it is shown. */
export function excludedBy(policy: Pick<Policy, 'exclude'>, user: AccountFields): AccountKind | undefined {
  return accountKinds(user).find((kind) => policy.exclude[EXCLUSION_OF[kind]]);
}
