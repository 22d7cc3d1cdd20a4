import type { DirectoryContact } from '../../../src/server/tab-api-types';

/**
 * A tel: URI (RFC 3966) for a number as people type it: "+49 (0)30 901822" → tel:+4930901822.
 * Visual separators go; the "(0)" trunk prefix some write after a country code is not dialled.
 */
export function telHref(phone: string): string {
  const trimmed = phone.trim();
  const international = trimmed.startsWith('+');
  const withoutTrunk = international ? trimmed.replace(/\(0\)/g, '') : trimmed;
  const digits = withoutTrunk.replace(/[^0-9]/g, '');
  return `tel:${international ? '+' : ''}${digits}`;
}

/** Who Teams should call or chat with: the sign-in name, or the mail address when there is none. */
export function teamsUser(contact: Pick<DirectoryContact, 'userPrincipalName' | 'mail'>): string | undefined {
  return contact.userPrincipalName ?? contact.mail ?? undefined;
}

// Teams' documented deep links take the user as `users=<upn>`; the UPN is encoded except for its '@'
// (a guest's UPN contains '#', which would otherwise end the URL).
function usersParam(user: string): string {
  return encodeURIComponent(user).replace(/%40/g, '@');
}

/** https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-teams */
export function teamsChatHref(user: string): string {
  return `https://teams.microsoft.com/l/chat/0/0?users=${usersParam(user)}`;
}

export function teamsCallHref(user: string): string {
  return `https://teams.microsoft.com/l/call/0/0?users=${usersParam(user)}`;
}

export function mailHref(mail: string): string {
  return `mailto:${mail}`;
}

/** Every number of a contact with its label, work numbers first. */
export function phonesOf(contact: Pick<DirectoryContact, 'businessPhones' | 'mobilePhone'>): { label: string; number: string }[] {
  const work = contact.businessPhones.map((number) => ({ label: 'Work', number }));
  return contact.mobilePhone ? [...work, { label: 'Mobile', number: contact.mobilePhone }] : work;
}
