import { avatarPng } from './avatar.js';
import { DevDirectory, type DevUserInput } from './directory.js';
import { assignAppRole, ConsentGrants, DIRECTORY_ROLES, GRAPH_APP_ID, type DevApp, type DevRegistry, type DevTenant } from './registry.js';

/** Fixed ids, so docs, tests and bookmarks can name them. */
export const CONTOSO_TENANT_ID = '8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33';
export const FABRIKAM_TENANT_ID = '3d2e1f0a-7b6c-4d5e-8a9b-0c1d2e3f4a5b';
export const SWITCHBOARD_ADMIN_ROLE = 'Switchboard.Admin';
const E3_SKU = '6fd2c87f-b296-42f0-b197-1e91e994b900';

/** Teams and Office clients that call Switchboard's API with SSO (Microsoft's published client ids). */
export const FIRST_PARTY_CLIENTS: { clientId: string; displayName: string }[] = [
  { clientId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', displayName: 'Microsoft Teams' },
  { clientId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346', displayName: 'Microsoft Teams Web Client' },
  { clientId: '4345a7b9-9a63-4910-a426-35363201d503', displayName: 'Microsoft 365 web' },
  { clientId: '4765445b-32c6-49b0-83e6-1d93765276ca', displayName: 'Microsoft 365 web' },
  { clientId: '0ec893e0-5785-4de6-99da-4ed124e5296c', displayName: 'Microsoft 365 desktop' },
  { clientId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c', displayName: 'Microsoft Office' },
  { clientId: '00000002-0000-0ff1-ce00-000000000000', displayName: 'Outlook Web Access' },
  { clientId: 'bc59ab01-8403-45c6-8796-ac3ef710b3e3', displayName: 'Outlook on the web' },
  { clientId: '27922004-5251-4030-b22d-91ecd9a37ea4', displayName: 'Outlook mobile' },
];

/** Switchboard's delegated permissions: exactly those of appPackage/aad.manifest.json. */
export const SWITCHBOARD_GRAPH_SCOPES = ['openid', 'profile', 'offline_access', 'User.Read', 'User.Read.All', 'GroupMember.Read.All'];

export interface SwitchboardRegistration {
  clientId: string;
  clientSecret: string;
  /** e.g. api://localhost:53000/botid-… */
  identifierUri: string;
  /** The tab's origin, e.g. https://localhost:53000: redirect URIs hang off it. */
  appUrl: string;
}

export function switchboardApp(reg: SwitchboardRegistration): DevApp {
  return {
    clientId: reg.clientId,
    displayName: 'Switchboard',
    clientSecret: reg.clientSecret,
    homeTenantId: CONTOSO_TENANT_ID,
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: [reg.identifierUri],
    exposedScopes: [{ value: 'access_as_user', adminConsentRequired: false }],
    preAuthorizedClientIds: FIRST_PARTY_CLIENTS.map((c) => c.clientId),
    appRoles: [{ value: SWITCHBOARD_ADMIN_ROLE, displayName: 'Switchboard administrator' }],
    redirectUris: {
      spa: [`${reg.appUrl}/auth/callback`, `${reg.appUrl}/auth/end`],
      web: [`${reg.appUrl}/auth/server-callback`],
      publicClient: [],
    },
    requiredScopes: [...SWITCHBOARD_GRAPH_SCOPES.map((s) => `${GRAPH_APP_ID}/${s}`), `${reg.clientId}/access_as_user`],
  };
}

type Person = [given: string, surname: string, title: string, department: string, office: string, phone: string | null, mobile: string | null];

// Phones in the formats people really type: E.164 with spaces, national with brackets, dotted.
const CONTOSO_PEOPLE: Person[] = [
  ['Amelia', 'Hart', 'Chief Executive Officer', 'Executive', 'Redmond 18/2101', '+1 425 555 0100', '+1 425 555 0199'],
  ['Rafael', 'Ortega', 'Chief Financial Officer', 'Executive', 'Redmond 18/2102', '+1 425 555 0101', null],
  ['Priya', 'Raman', 'Chief Technology Officer', 'Executive', 'Redmond 18/2103', '(425) 555-0102', '(425) 555-0192'],
  ['Jonas', 'Becker', 'VP Sales Europe', 'Sales', 'Berlin 2/201', '+49 30 901820', '+49 151 2345 6789'],
  ['Chloé', 'Durand', 'Account Executive', 'Sales', 'Paris 3/5', '+33 1 70 36 39 50', '+33 6 12 34 56 78'],
  ['Oliver', 'Bennett', 'Account Manager', 'Sales', 'London 4/12', '+44 20 7946 0958', '+44 7700 900123'],
  ['Sofia', 'Rossi', 'Sales Development Representative', 'Sales', 'London 4/14', '+44 20 7946 0959', null],
  ['Marcus', 'Lee', 'VP Sales North America', 'Sales', 'Redmond 18/1101', '425.555.0110', '425.555.0190'],
  ['Hannah', "O'Brien", 'Account Executive', 'Sales', 'Redmond 18/1102', '+1 425 555 0111', '+1 425 555 0191'],
  ['Diego', 'Fernández', 'Solutions Engineer', 'Sales', 'Redmond 18/1103', '+1 (425) 555-0112', null],
  ['Grace', 'Kim', 'Engineering Manager', 'Engineering', 'Redmond 25/3001', '+1 425 555 0120', '+1 425 555 0180'],
  ['Liam', 'Novak', 'Senior Software Engineer', 'Engineering', 'Redmond 25/3002', '+1 425 555 0121', null],
  ['Yuki', 'Tanaka', 'Software Engineer', 'Engineering', 'Redmond 25/3003', '+1 425 555 0122', '+1 425 555 0182'],
  ['Fatima', 'Zahra', 'Software Engineer', 'Engineering', 'Berlin 2/310', '+49 30 901821', null],
  ['Noah', 'Schmidt', 'Site Reliability Engineer', 'Engineering', 'Berlin 2/311', '+49 (0)30 901822', '+49 160 9876543'],
  ['Ava', 'Johansson', 'Product Designer', 'Engineering', 'London 4/20', '+44 20 7946 0960', null],
  ['Ethan', 'Walker', 'IT Manager', 'IT', 'Redmond 18/0101', '+1 425 555 0130', '+1 425 555 0170'],
  ['Mia', 'Chen', 'Systems Administrator', 'IT', 'Redmond 18/0102', '+1 425 555 0131', null],
  ['Lucas', 'Martin', 'Service Desk Analyst', 'IT', 'Paris 3/1', '+33 1 70 36 39 51', null],
  ['Isabella', 'Garcia', 'HR Director', 'Human Resources', 'Redmond 18/0201', '+1 425 555 0140', null],
  ['William', 'Brown', 'HR Business Partner', 'Human Resources', 'London 4/02', '+44 20 7946 0961', null],
  ['Emma', 'Müller', 'Recruiter', 'Human Resources', 'Berlin 2/105', '+49 30 901823', null],
  ['James', 'Wilson', 'Controller', 'Finance', 'Redmond 18/0301', '+1 425 555 0150', null],
  ['Olivia', 'Taylor', 'Accountant', 'Finance', 'Redmond 18/0302', '+1 425 555 0151', null],
  ['Benjamin', 'Moreau', 'Financial Analyst', 'Finance', 'Paris 3/8', '+33 1 70 36 39 52', null],
  ['Charlotte', 'Davies', 'Marketing Director', 'Marketing', 'London 4/30', '+44 20 7946 0962', '+44 7700 900456'],
  ['Henry', 'Evans', 'Content Strategist', 'Marketing', 'London 4/31', '+44 20 7946 0963', null],
  ['Zoe', 'Nguyen', 'Events Manager', 'Marketing', 'Redmond 18/1201', '+1 425 555 0160', null],
  ['Samuel', 'Adeyemi', 'Brand Designer', 'Marketing', 'Redmond 18/1202', '+1 425 555 0161', null],
  ['Layla', 'Haddad', 'Marketing Analyst', 'Marketing', 'Paris 3/9', '+33 1 70 36 39 53', null],
];

/**
 * The sample organisation: Contoso (consent granted, nested groups, a Microsoft 365 group, a
 * disabled account, a guest, rooms, a shared mailbox, a user hidden from address lists, photos) and
 * Fabrikam (no consent), for the consent flow and isolation tests.
 */
export function seedSampleOrganisation(registry: DevRegistry, app: DevApp, now: () => number = Date.now): void {
  registry.addApp(app);
  for (const c of FIRST_PARTY_CLIENTS) {
    registry.addApp({
      ...c, homeTenantId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a', signInAudience: 'AzureADMultipleOrgs', identifierUris: [], exposedScopes: [],
      preAuthorizedClientIds: [], appRoles: [], redirectUris: { spa: [], web: [], publicClient: ['https://login.microsoftonline.com/common/oauth2/nativeclient'] },
      requiredScopes: [], firstParty: true,
    });
  }

  const contoso = newTenant(CONTOSO_TENANT_ID, 'contoso.example', 'Contoso', now);
  const d = contoso.directory;
  const ids = new Map<string, string>();
  CONTOSO_PEOPLE.forEach(([given, surname, title, department, office, phone, mobile], i) => {
    const nick = `${ascii(given)}.${ascii(surname)}`.toLowerCase();
    const user = d.addUser({
      id: fixedId('c0', i + 1), givenName: given, surname, displayName: `${given} ${surname}`, userPrincipalName: `${nick}@contoso.example`,
      mail: `${nick}@contoso.example`, mailNickname: nick, jobTitle: title, department, officeLocation: office, companyName: 'Contoso',
      businessPhones: phone ? [phone] : [], mobilePhone: mobile, city: office.split(' ')[0]!, country: countryOf(office), employeeId: String(1000 + i),
      assignedLicenses: [{ skuId: E3_SKU, disabledPlans: [] }],
    });
    ids.set(nick, user.id);
    if (i % 4 === 0) d.setPhoto(user.id, { contentType: 'image/png', bytes: avatarPng(i + 1), width: 96, height: 96 });
  });
  const admin = d.getUser('ethan.walker@contoso.example')!;
  d.updateUser(admin.id, { directoryRoles: [DIRECTORY_ROLES.globalAdministrator] });
  assignAppRole(contoso, app.clientId, admin.id, SWITCHBOARD_ADMIN_ROLE);

  const special: DevUserInput[] = [
    { id: fixedId('c1', 1), displayName: 'Pat Former', givenName: 'Pat', surname: 'Former', userPrincipalName: 'pat.former@contoso.example', mail: 'pat.former@contoso.example', jobTitle: 'Account Executive', department: 'Sales', businessPhones: ['+1 425 555 0119'], accountEnabled: false, assignedLicenses: [{ skuId: E3_SKU, disabledPlans: [] }] },
    { id: fixedId('c1', 2), displayName: 'Sam Partner (Fabrikam)', givenName: 'Sam', surname: 'Partner', userPrincipalName: 'sam.partner_fabrikam.example#EXT#@contoso.example', mail: 'sam.partner@fabrikam.example', userType: 'Guest', companyName: 'Fabrikam', businessPhones: ['+1 206 555 0177'] },
    { id: fixedId('c1', 3), displayName: 'Conf Room Rainier', userPrincipalName: 'rainier@contoso.example', mail: 'rainier@contoso.example', officeLocation: 'Redmond 18/2200', businessPhones: ['+1 425 555 0200'], accountEnabled: false },
    { id: fixedId('c1', 4), displayName: 'Conf Room Thames', userPrincipalName: 'thames@contoso.example', mail: 'thames@contoso.example', officeLocation: 'London 4/40', accountEnabled: false },
    { id: fixedId('c1', 5), displayName: 'Contoso Support', userPrincipalName: 'support@contoso.example', mail: 'support@contoso.example', businessPhones: ['+1 800 555 0100'], accountEnabled: false },
    { id: fixedId('c1', 6), displayName: 'Dana Quinn', givenName: 'Dana', surname: 'Quinn', userPrincipalName: 'dana.quinn@contoso.example', mail: 'dana.quinn@contoso.example', jobTitle: 'Chief of Staff', department: 'Executive', officeLocation: 'Redmond 18/2104', businessPhones: ['+1 425 555 0103'], mobilePhone: '+1 425 555 0193', showInAddressList: false, assignedLicenses: [{ skuId: E3_SKU, disabledPlans: [] }] },
  ];
  for (const u of special) d.addUser(u);

  const group = (n: number, displayName: string, extra: Partial<Parameters<DevDirectory['addGroup']>[0]> = {}) => d.addGroup({ id: fixedId('c9', n), displayName, ...extra }).id;
  const all = group(1, 'All Employees', { description: 'Everyone at Contoso' });
  const exec = group(2, 'Executives');
  const sales = group(3, 'Sales');
  const salesEu = group(4, 'Sales EU');
  const salesNa = group(5, 'Sales NA');
  const eng = group(6, 'Engineering');
  const it = group(7, 'IT');
  const hr = group(8, 'Human Resources');
  const finance = group(9, 'Finance');
  const marketing = group(10, 'Marketing', { groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, mail: 'marketing@contoso.example', visibility: 'Private' });
  const byDept: Record<string, string> = { Executive: exec, Engineering: eng, IT: it, 'Human Resources': hr, Finance: finance, Marketing: marketing };
  for (const [given, surname, , department, office] of CONTOSO_PEOPLE) {
    const id = ids.get(`${ascii(given)}.${ascii(surname)}`.toLowerCase())!;
    if (department === 'Sales') d.addMember(/Berlin|Paris|London/.test(office) ? salesEu : salesNa, id);
    else d.addMember(byDept[department]!, id);
  }
  d.addMember(exec, fixedId('c1', 6)); // Dana, hidden from address lists
  d.addMember(salesNa, fixedId('c1', 1)); // Pat, disabled
  d.addMember(sales, salesEu);
  d.addMember(sales, salesNa);
  for (const g of [exec, sales, eng, it, hr, finance]) d.addMember(all, g);
  d.addMember(marketing, fixedId('c1', 2)); // the guest collaborates with Marketing

  contoso.consents.grantForAll(app.clientId, app.requiredScopes);
  registry.addTenant(contoso);

  const fabrikam = newTenant(FABRIKAM_TENANT_ID, 'fabrikam.example', 'Fabrikam', now);
  const f = fabrikam.directory;
  const fabrikamPeople: [string, string, string][] = [
    ['Nora', 'Lindqvist', 'IT Director'],
    ['Kofi', 'Mensah', 'Sales Manager'],
    ['Elena', 'Petrova', 'Engineer'],
    ['Tomás', 'Silva', 'Designer'],
    ['Aisha', 'Khan', 'Accountant'],
  ];
  fabrikamPeople.forEach(([given, surname, title], i) => {
    const nick = `${ascii(given)}.${ascii(surname)}`.toLowerCase();
    f.addUser({
      id: fixedId('f0', i + 1), givenName: given, surname, displayName: `${given} ${surname}`, userPrincipalName: `${nick}@fabrikam.example`, mail: `${nick}@fabrikam.example`,
      jobTitle: title, department: title === 'IT Director' ? 'IT' : 'Operations', businessPhones: [`+1 206 555 01${10 + i}`], companyName: 'Fabrikam',
      assignedLicenses: [{ skuId: E3_SKU, disabledPlans: [] }], directoryRoles: i === 0 ? [DIRECTORY_ROLES.globalAdministrator] : [],
    });
  });
  const staff = f.addGroup({ id: fixedId('f9', 1), displayName: 'Fabrikam Staff' }).id;
  for (const u of [...f.listUsers()]) f.addMember(staff, u.id);
  registry.addTenant(fabrikam);
}

export function newTenant(id: string, domain: string, displayName: string, now: () => number = Date.now): DevTenant {
  return { id, domain, displayName, directory: new DevDirectory(id, now), consents: new ConsentGrants(), appRoleAssignments: new Map(), claimsChallengeUsers: new Set() };
}

/** A stable, valid-looking GUID for seeded object `n` of a family. */
function fixedId(family: string, n: number): string {
  return `${family}${n.toString(16).padStart(6, '0')}-5eed-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function ascii(s: string): string {
  return s.normalize('NFD').replace(/[^A-Za-z]/g, '');
}

function countryOf(office: string): string {
  return office.startsWith('Berlin') ? 'Germany' : office.startsWith('Paris') ? 'France' : office.startsWith('London') ? 'United Kingdom' : 'United States';
}
