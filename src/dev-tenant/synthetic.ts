import type { DevDirectory, DevUser, DevUserInput } from './directory.js';

/**
 * Deterministic synthetic tenants for benchmarks: the same seed gives the same users, groups, ids and
 * memberships. Names, departments, offices and phone formats come from small built-in lists; a few
 * accounts are guests, disabled, rooms or shared mailboxes (no licence), as in a real directory.
 * Groups: one security group per department and office, divisions nesting departments, two
 * company-wide groups, then project teams (some Microsoft 365 groups, some nested).
 */

export interface SyntheticOptions {
  users: number;
  groups: number;
  seed: number;
  /** Domain of the UPNs; defaults to synthetic.example. */
  domain?: string;
}

export interface SyntheticSummary {
  userIds: string[];
  groupIds: string[];
  memberships: number;
}

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; fine for test data, not for secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped UUID drawn from the PRNG, so ids are stable for a seed. */
function seededUuid(rand: () => number): string {
  const hex = Array.from({ length: 4 }, () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const GIVEN = 'Ada Adele Ahmed Aiko Alan Amara Ana Anders Anil Astrid Ben Bianca Carlos Chen Chloé Dara David Diego Elena Emeka Emma Fatima Felix Grace Hana Hugo Inès Isaac Jamal Jana Jonas Julia Kai Kenji Lars Leila Liam Lucía Mateo Maya Mei Mohammed Nadia Noah Nora Olga Omar Priya Rafael Rosa Sami Sara Sofia Tariq Tomás Valentina Wei Yusuf Zoë'.split(' ');
const SURNAMES = "Abbott Adeyemi Alvarez Andersson Bauer Becker Bianchi Chen Costa Dubois Eriksen Fischer García Gonzalez Gupta Haddad Hansen Ito Jansen Johnson Kim Kowalski Kumar Larsen Lee López Martin Meyer Moreau Müller Nakamura Nguyen Novak O'Brien Okafor Olsen Patel Pérez Petrov Rossi Sato Schmidt Silva Singh Smith Suzuki Tanaka Taylor Thomas Walker Wang Weber Wilson Wong Yamamoto Yılmaz Young Zhang Zimmermann".split(' ');
const DEPARTMENTS: Record<string, string[]> = {
  Engineering: ['Software Engineer', 'Senior Software Engineer', 'Principal Engineer', 'Engineering Manager', 'QA Engineer'],
  Product: ['Product Manager', 'UX Designer', 'Product Designer'],
  Research: ['Research Scientist', 'Data Scientist'],
  IT: ['Systems Administrator', 'IT Support Specialist', 'Security Analyst'],
  Sales: ['Account Executive', 'Sales Manager', 'Sales Development Representative'],
  Marketing: ['Marketing Specialist', 'Content Strategist', 'Marketing Manager'],
  'Customer Support': ['Support Engineer', 'Support Team Lead'],
  Finance: ['Accountant', 'Financial Analyst', 'Controller'],
  'Human Resources': ['HR Generalist', 'Recruiter', 'HR Business Partner'],
  Legal: ['Counsel', 'Paralegal'],
  Operations: ['Operations Manager', 'Logistics Coordinator', 'Executive Assistant'],
};
const DIVISIONS: Record<string, string[]> = {
  Technology: ['Engineering', 'Product', 'Research', 'IT'],
  'Go To Market': ['Sales', 'Marketing', 'Customer Support'],
  Corporate: ['Finance', 'Human Resources', 'Legal', 'Operations'],
};
/** Offices with phone formats of their country; fictional ranges (555-01xx, 7946 0xxx, 7700 900xxx). */
const OFFICES = [
  { city: 'Seattle', country: 'United States', phone: (n: string) => `+1 425 555 0${n.slice(0, 3)}`, mobile: (n: string) => `(206) 555-0${n.slice(1, 4)}` },
  { city: 'New York', country: 'United States', phone: (n: string) => `+1-212-555-0${n.slice(0, 3)}`, mobile: (n: string) => `917.555.0${n.slice(1, 4)}` },
  { city: 'London', country: 'United Kingdom', phone: (n: string) => `+44 20 7946 0${n.slice(0, 3)}`, mobile: (n: string) => `+44 7700 900${n.slice(1, 4)}` },
  { city: 'Berlin', country: 'Germany', phone: (n: string) => `+49 30 901820${n.slice(0, 2)}`, mobile: (n: string) => `+49 151 2345${n}` },
  { city: 'Paris', country: 'France', phone: (n: string) => `+33 1 23 45 ${n.slice(0, 2)} ${n.slice(2, 4)}`, mobile: (n: string) => `+33 6 12 34 ${n.slice(0, 2)} ${n.slice(2, 4)}` },
  { city: 'Tokyo', country: 'Japan', phone: (n: string) => `+81 3-5555-${n}`, mobile: (n: string) => `+81 90-1234-${n}` },
  { city: 'Sydney', country: 'Australia', phone: (n: string) => `+61 2 5550 ${n}`, mobile: (n: string) => `+61 491 570 ${n.slice(0, 3)}` },
  { city: 'São Paulo', country: 'Brazil', phone: (n: string) => `+55 11 5555-${n}`, mobile: (n: string) => `+55 11 95555-${n}` },
];
const PROJECT_WORDS = 'Falcon Orion Atlas Nimbus Aurora Cobalt Juniper Meridian Quartz Sierra Tundra Vega Zephyr Harbor Summit Beacon'.split(' ');
/**
 * Members get a Microsoft 365 E3 licence, rooms and shared mailboxes none. One array is shared by
 * every member, as is the empty phone list: the directory replaces values on update and never
 * mutates them, and 100k copies would cost megabytes for nothing.
 */
const E3_LICENCES: DevUser['assignedLicenses'] = [{ skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', disabledPlans: [] }];
const NO_PHONES: string[] = [];

/** ASCII for addresses: accents dropped, apostrophes and spaces removed. */
function slug(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ı/g, 'i').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

export function generateSyntheticTenant(directory: DevDirectory, options: SyntheticOptions): SyntheticSummary {
  const rand = mulberry32(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const domain = options.domain ?? 'synthetic.example';
  const upnCounts = new Map<string, number>();
  const uniqueLocal = (base: string) => {
    const n = (upnCounts.get(base) ?? 0) + 1;
    upnCounts.set(base, n);
    return n === 1 ? base : `${base}${n}`;
  };
  const userIds: string[] = [];
  const byDepartment = new Map<string, string[]>();
  const byOffice = new Map<string, string[]>();
  const employees: string[] = [];
  const departments = Object.keys(DEPARTMENTS);

  for (let i = 0; i < options.users; i++) {
    const id = seededUuid(rand);
    const office = pick(OFFICES);
    const roll = rand();
    let input: DevUserInput;
    if (roll < 0.004) {
      const local = uniqueLocal(`room.${slug(office.city)}`);
      input = { userPrincipalName: `${local}@${domain}`, displayName: `Room ${office.city} ${1 + Math.floor(rand() * 30)}.${digits(2)}`, mail: `${local}@${domain}`, mailNickname: local, officeLocation: office.city, city: office.city, country: office.country, businessPhones: [office.phone(digits(4))] };
    } else if (roll < 0.007) {
      const team = pick(departments);
      const local = uniqueLocal(`shared.${slug(team)}`);
      input = { userPrincipalName: `${local}@${domain}`, displayName: `${team} Shared Mailbox (${office.city})`, mail: `${local}@${domain}`, mailNickname: local, department: team, accountEnabled: false };
    } else {
      const given = pick(GIVEN);
      const surname = pick(SURNAMES);
      const guest = roll < 0.017;
      const department = pick(departments);
      const external = `partner${1 + Math.floor(rand() * 40)}.example`;
      const local = uniqueLocal(`${slug(given)}.${slug(surname)}`);
      input = {
        userPrincipalName: guest ? `${local}_${external}#EXT#@${domain}` : `${local}@${domain}`,
        displayName: `${given} ${surname}`, givenName: given, surname,
        mail: guest ? `${local}@${external}` : `${local}@${domain}`, mailNickname: guest ? `${local}_${external}#EXT#` : local,
        jobTitle: guest ? null : pick(DEPARTMENTS[department]!), department: guest ? null : department,
        officeLocation: guest ? null : `${office.city} ${1 + Math.floor(rand() * 30)}/${digits(3)}`,
        city: office.city, country: office.country, companyName: guest ? external : 'Contoso Synthetic',
        businessPhones: guest || rand() < 0.15 ? NO_PHONES : [office.phone(digits(4))], mobilePhone: rand() < 0.6 ? office.mobile(digits(4)) : null,
        employeeId: guest ? null : `E${100000 + i}`, userType: guest ? 'Guest' : 'Member',
        accountEnabled: rand() >= 0.02,
        assignedLicenses: guest ? [] : E3_LICENCES,
      };
      if (!guest) {
        employees.push(id);
        push(byDepartment, department, id);
        push(byOffice, office.city, id);
      }
    }
    directory.addUser({ ...input, id });
    userIds.push(id);
  }

  const groupIds: string[] = [];
  let memberships = 0;
  const addGroup = (displayName: string, members: readonly string[], m365 = false): string | undefined => {
    if (groupIds.length >= options.groups) return undefined;
    const nickname = slug(displayName);
    const group = directory.addGroup({
      id: seededUuid(rand), displayName, mailNickname: nickname, description: `${displayName} (synthetic)`,
      ...(m365 ? { groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, mail: `${nickname}@${domain}`, visibility: 'Private' } : {}),
    });
    for (const m of members) directory.addMember(group.id, m);
    memberships += members.length;
    groupIds.push(group.id);
    return group.id;
  };

  addGroup('All Employees', employees);
  addGroup('Company Announcements', employees, true);
  const departmentGroups = new Map<string, string>();
  for (const d of departments) {
    const id = addGroup(`Department - ${d}`, byDepartment.get(d) ?? []);
    if (id) departmentGroups.set(d, id);
  }
  for (const o of OFFICES) addGroup(`Office - ${o.city}`, byOffice.get(o.city) ?? []);
  for (const [division, parts] of Object.entries(DIVISIONS)) {
    addGroup(`Division - ${division}`, parts.map((p) => departmentGroups.get(p)).filter((g): g is string => g !== undefined));
  }
  const projects: string[] = [];
  for (let n = 1; groupIds.length < options.groups; n++) {
    const size = Math.min(employees.length, 3 + Math.floor(rand() * rand() * 80));
    const members = new Set<string>();
    while (members.size < size) members.add(employees[Math.floor(rand() * employees.length)]!);
    const m365 = rand() < 0.2;
    // Microsoft 365 groups cannot contain groups; nesting an earlier project into a later one never makes a cycle.
    if (!m365 && projects.length > 0 && rand() < 0.1) members.add(pick(projects));
    const id = addGroup(`${m365 ? 'Team' : 'Project'} ${pick(PROJECT_WORDS)} ${n}`, [...members], m365);
    if (id) projects.push(id);
  }
  return { userIds, groupIds, memberships };
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
