import { createHash } from 'node:crypto';
import type { StoredGroup, StoredUser } from '../../store/directory-repository.js';


export const GROUP_SELECT = ['id', 'displayName', 'description', 'mail', 'securityEnabled', 'groupTypes', 'members'];

/** The sealed part of a user row: contact fields plus the Graph facts the policy reads. */
export interface UserData {
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  companyName: string | null;
  businessPhones: string[];
  mobilePhone: string | null;
  city: string | null;
  country: string | null;
  userType: string | null;
  showInAddressList: boolean | null;
  accountEnabled: boolean;
  assignedLicenses: number;
}

export interface GroupData {
  displayName: string | null;
  description: string | null;
  mail: string | null;
  groupTypes: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Maps a Graph user (from /users/delta) to its stored form. Unknown or missing fields read as null. */
export function toStoredUser(u: Record<string, unknown>): StoredUser<UserData> {
  const licences = Array.isArray(u.assignedLicenses) ? u.assignedLicenses.length : 0;
  const data: UserData = {
    displayName: str(u.displayName), givenName: str(u.givenName), surname: str(u.surname), mail: str(u.mail),
    userPrincipalName: str(u.userPrincipalName), jobTitle: str(u.jobTitle), department: str(u.department),
    officeLocation: str(u.officeLocation), companyName: str(u.companyName),
    businessPhones: Array.isArray(u.businessPhones) ? u.businessPhones.filter((p): p is string => typeof p === 'string') : [],
    mobilePhone: str(u.mobilePhone), city: str(u.city), country: str(u.country), userType: str(u.userType),
    showInAddressList: typeof u.showInAddressList === 'boolean' ? u.showInAddressList : null,
    accountEnabled: u.accountEnabled !== false, assignedLicenses: licences,
  };
  return {
    id: String(u.id),
    data,
    accountEnabled: data.accountEnabled,
    isGuest: data.userType === 'Guest',
    isLicensed: licences > 0,
    hidden: data.showInAddressList === false,
    hasMail: data.mail !== null,
    photoHash: null,
  };
}

export function toStoredGroup(g: Record<string, unknown>): StoredGroup<GroupData> {
  return {
    id: String(g.id),
    data: { displayName: str(g.displayName), description: str(g.description), mail: str(g.mail), groupTypes: Array.isArray(g.groupTypes) ? g.groupTypes.map(String) : [] },
    securityEnabled: g.securityEnabled === true,
  };
}

/** `members@delta` entries: users and nested groups, added or (with `@removed`) removed. */
export function memberChanges(g: Record<string, unknown>): { adds: { id: string; type: 'user' | 'group' }[]; removes: string[] } {
  const adds: { id: string; type: 'user' | 'group' }[] = [];
  const removes: string[] = [];
  const entries = g['members@delta'];
  if (!Array.isArray(entries)) return { adds, removes };
  for (const m of entries as Record<string, unknown>[]) {
    const id = String(m.id);
    if (m['@removed']) removes.push(id);
    else if (m['@odata.type'] === '#microsoft.graph.user' || m['@odata.type'] === '#microsoft.graph.group') adds.push({ id, type: m['@odata.type'] === '#microsoft.graph.group' ? 'group' : 'user' });
  }
  return { adds, removes };
}

/** A content hash of what the user looks like, to tell real changes from replays. */
export function userFingerprint(u: StoredUser): string {
  return createHash('sha256').update(JSON.stringify(u.data)).digest('base64url');
}
