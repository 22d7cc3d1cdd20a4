import type { AccountFields } from './account-kind.js';
import type { Policy } from './policy.js';

/**
 * The contact fields Switchboard shows, in the order a contact card lists them. Graph user property
 * names, so that the same list is the `$select` of the sync and the shape of a stored contact.
 */
export const CONTACT_FIELDS = [
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'jobTitle',
  'department',
  'officeLocation',
  'companyName',
  'businessPhones',
  'mobilePhone',
  'city',
  'country',
] as const;

export type ContactField = (typeof CONTACT_FIELDS)[number];

/** Names identify a contact: a card without them is useless on a phone, so they can never be hidden. */
export const NAME_FIELDS: readonly ContactField[] = ['displayName', 'givenName', 'surname'];

/** Fields an administrator may hide (everything but the names). */
export const HIDEABLE_FIELDS: readonly ContactField[] = CONTACT_FIELDS.filter((f) => !NAME_FIELDS.includes(f));

/** The Graph user properties that classify an account for the policy's exclusions (see account-kind.ts). */
export const CLASSIFICATION_FIELDS = ['accountEnabled', 'userType', 'assignedLicenses', 'showInAddressList'] as const;

/**
 * What the sync asks Graph for (`/users/delta?$select=…`). Graph returns `id` anyway; it is listed so
 * the request says everything the code relies on. Every field is requested even when the policy hides
 * it: a delta link is bound to its `$select`, so a select that followed the policy would force a full
 * resync of the tenant whenever an administrator un-hid a field.
 */
export const USER_SELECT: readonly string[] = ['id', ...CONTACT_FIELDS, ...CLASSIFICATION_FIELDS];

/** A contact as shown to a user: every field present, `null` (or `[]` for phones) when unknown or hidden. */
export type Contact = { id: string; businessPhones: string[] } & {
  [F in Exclude<ContactField, 'businessPhones'>]: string | null;
};

/** A Graph user as the sync receives it: any selected property may be missing or null. */
export type DirectoryUser = { id: string } & { [F in ContactField]?: F extends 'businessPhones' ? string[] | null : string | null } & Partial<AccountFields>;

/** The contact a user of this tenant is shown, with the fields the policy hides emptied. */
export function projectContact(user: DirectoryUser, policy: Pick<Policy, 'hiddenFields'>): Contact {
  const hidden = new Set<ContactField>(policy.hiddenFields);
  // Names are refused by parsePolicy; checked again here so a hand-built policy cannot blank a card.
  const shown = (f: ContactField) => !hidden.has(f) || NAME_FIELDS.includes(f);
  const contact = { id: user.id, businessPhones: shown('businessPhones') ? [...(user.businessPhones ?? [])] : [] } as Contact;
  for (const field of CONTACT_FIELDS) {
    if (field === 'businessPhones') continue;
    contact[field] = shown(field) ? (user[field] ?? null) : null;
  }
  return contact;
}
