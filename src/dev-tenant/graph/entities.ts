import type { DevGroup, DevUser } from '../directory.js';

/**
 * The user and group resources as Graph shapes them: which properties exist (an unknown one in
 * $select or $filter is a 400), which come back without $select, which the basic profile covers, and
 * how each may be filtered. Properties the dev directory does not hold exist and read as null.
 */

/** `default`: works without advanced query parameters; `advanced`: needs ConsistencyLevel + $count. */
export type Support = 'default' | 'advanced';

export interface FilterSupport {
  /** eq, and therefore `in` (advanced-queries page: "in is supported by default whenever eq is"). */
  eq?: Support;
  startsWith?: Support;
  /** Graph allows endsWith only as an advanced query, on mail, userPrincipalName, otherMails, proxyAddresses. */
  endsWith?: Support;
}

export interface PropertyDef<T> {
  get: (o: T) => unknown;
  /** Part of User.ReadBasic.All's basic profile. */
  basic?: boolean;
  /** A collection: filtered with `any`, reads as [] when hidden. */
  collection?: boolean;
  filter?: FilterSupport;
}

export interface EntityType<T> {
  odataType: string;
  /** Name used in Graph's messages: "of resource 'User'". */
  resource: string;
  entitySet: string;
  properties: Record<string, PropertyDef<T>>;
  /** Returned when there is no $select (user resource page: "default properties"). */
  defaults: string[];
  searchable: string[];
  /** $orderby that works without advanced query parameters (advanced-queries page, sorting table). */
  orderable: string[];
}

/** What the caller may see of an object: everything, the basic profile, or only its id and type. */
export type View = 'full' | 'basic' | 'limited';

const none = () => null;
const empty = () => [];
const D: Support = 'default';
const A: Support = 'advanced';
const text = (support: Support, extra: FilterSupport = {}): FilterSupport => ({ eq: support, startsWith: support, ...extra });

/** The SID Entra derives from a cloud object's id: S-1-12-1- and the GUID's four little-endian words. */
export function securityIdentifier(id: string): string | null {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) return null;
  const b = Buffer.from(hex, 'hex');
  // GUID byte order: the first three fields are stored little-endian.
  const guid = Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
  return `S-1-12-1-${[0, 4, 8, 12].map((o) => guid.readUInt32LE(o)).join('-')}`;
}

export const USER: EntityType<DevUser> = {
  odataType: '#microsoft.graph.user',
  resource: 'User',
  entitySet: 'users',
  properties: {
    id: { get: (u) => u.id, basic: true, filter: { eq: D } },
    accountEnabled: { get: (u) => u.accountEnabled, filter: { eq: D } },
    ageGroup: { get: none },
    assignedLicenses: { get: (u) => u.assignedLicenses, collection: true },
    businessPhones: { get: (u) => u.businessPhones, collection: true, filter: { eq: D } },
    city: { get: (u) => u.city, filter: text(D) },
    companyName: { get: (u) => u.companyName, filter: text(A) },
    country: { get: (u) => u.country, filter: text(D) },
    createdDateTime: { get: (u) => u.createdDateTime },
    creationType: { get: none },
    deletedDateTime: { get: none },
    department: { get: (u) => u.department, filter: text(D) },
    displayName: { get: (u) => u.displayName, basic: true, filter: text(D) },
    employeeId: { get: (u) => u.employeeId, filter: text(D) },
    employeeType: { get: none, filter: text(A) },
    faxNumber: { get: none },
    givenName: { get: (u) => u.givenName, basic: true, filter: text(D) },
    imAddresses: { get: empty, collection: true },
    jobTitle: { get: (u) => u.jobTitle, filter: text(D) },
    mail: { get: (u) => u.mail, basic: true, filter: text(D, { endsWith: A }) },
    mailNickname: { get: (u) => u.mailNickname, filter: text(D) },
    mobilePhone: { get: (u) => u.mobilePhone, filter: text(A) },
    officeLocation: { get: (u) => u.officeLocation, filter: text(A) },
    onPremisesSyncEnabled: { get: none },
    otherMails: { get: empty, collection: true, filter: text(D, { endsWith: A }) },
    postalCode: { get: none, filter: text(A) },
    preferredLanguage: { get: none, filter: text(A) },
    proxyAddresses: { get: (u) => (u.mail ? [`SMTP:${u.mail}`] : []), collection: true, filter: text(D, { endsWith: A }) },
    securityIdentifier: { get: (u) => securityIdentifier(u.id), basic: true },
    showInAddressList: { get: (u) => u.showInAddressList, filter: { eq: A } },
    state: { get: none, filter: text(D) },
    streetAddress: { get: none, filter: text(A) },
    surname: { get: (u) => u.surname, basic: true, filter: text(D) },
    usageLocation: { get: none, filter: text(D) },
    userPrincipalName: { get: (u) => u.userPrincipalName, basic: true, filter: text(D, { endsWith: A }) },
    userType: { get: (u) => u.userType, filter: { eq: D } },
  },
  defaults: ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'],
  searchable: ['displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'userPrincipalName'],
  orderable: ['displayName', 'userPrincipalName'],
};

export const GROUP: EntityType<DevGroup> = {
  odataType: '#microsoft.graph.group',
  resource: 'Group',
  entitySet: 'groups',
  properties: {
    id: { get: (g) => g.id, filter: { eq: D } },
    classification: { get: none },
    createdDateTime: { get: (g) => g.createdDateTime },
    deletedDateTime: { get: none },
    description: { get: (g) => g.description, filter: text(A) },
    displayName: { get: (g) => g.displayName, filter: text(D) },
    expirationDateTime: { get: none },
    groupTypes: { get: (g) => g.groupTypes, collection: true, filter: { eq: D } },
    isAssignableToRole: { get: none },
    mail: { get: (g) => g.mail, filter: text(D) },
    mailEnabled: { get: (g) => g.mailEnabled, filter: { eq: D } },
    mailNickname: { get: (g) => g.mailNickname, filter: text(D) },
    membershipRule: { get: none },
    membershipRuleProcessingState: { get: none },
    onPremisesSyncEnabled: { get: none },
    preferredDataLocation: { get: none },
    proxyAddresses: { get: (g) => (g.mail ? [`SMTP:${g.mail}`] : []), collection: true, filter: text(D) },
    renewedDateTime: { get: none },
    securityEnabled: { get: (g) => g.securityEnabled, filter: { eq: D } },
    securityIdentifier: { get: (g) => securityIdentifier(g.id) },
    visibility: { get: (g) => g.visibility, filter: { eq: A } },
  },
  defaults: [
    'id', 'deletedDateTime', 'classification', 'createdDateTime', 'description', 'displayName', 'expirationDateTime', 'groupTypes',
    'isAssignableToRole', 'mail', 'mailEnabled', 'mailNickname', 'membershipRule', 'membershipRuleProcessingState', 'onPremisesSyncEnabled',
    'preferredDataLocation', 'proxyAddresses', 'renewedDateTime', 'securityEnabled', 'securityIdentifier', 'visibility',
  ],
  searchable: ['displayName', 'description', 'mail', 'mailNickname'],
  orderable: ['displayName'],
};

/** Finds a property the way Graph does, ignoring case; returns its canonical name. */
export function propertyName<T>(type: EntityType<T>, name: string): string | undefined {
  if (name in type.properties) return name;
  const lower = name.toLowerCase();
  return Object.keys(type.properties).find((p) => p.toLowerCase() === lower);
}

/**
 * The object as Graph returns it: the selected properties (or the defaults), with the ones the view
 * does not cover as null (or [] for collections), as Graph answers a caller with User.ReadBasic.All.
 */
export function project<T>(type: EntityType<T>, obj: T, select: readonly string[] | undefined, view: View): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of select ?? type.defaults) {
    const def = type.properties[name];
    if (!def) continue;
    const visible = view === 'full' || name === 'id' || (view === 'basic' && def.basic === true);
    out[name] = visible ? def.get(obj) : def.collection ? [] : null;
  }
  return out;
}
