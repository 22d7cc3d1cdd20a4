import type { Contact } from '../policy/contact-fields.js';
import { PrefixIndex } from './prefix-index.js';
import { digitsOf, foldText, parseQuery, wordsOf } from './search-text.js';

/** A contact as the tab lists it: the policy-projected fields, and whether a photo exists. */
export type ListedContact = Contact & { hasPhoto: boolean };

export interface VisibleGroup {
  id: string;
  name: string;
  /** Contacts of this view in the group, nested groups included. */
  members: ReadonlySet<string>;
}

export interface DirectoryQuery {
  q?: string;
  department?: string;
  office?: string;
  group?: string;
  offset: number;
  limit: number;
}

export interface DirectoryPage {
  contacts: ListedContact[];
  total: number;
  /** Offset of the next page, or undefined on the last one. */
  nextOffset: number | undefined;
}

export interface Facet {
  value: string;
  count: number;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** At most this many values per facet (the most common): an office per floor must not make every response huge. */
export const MAX_FACET_VALUES = 200;

/**
 * What one audience sees, in memory and ready to search: its contacts sorted by name, prefix
 * indexes of their names and of all their searchable words, their phone digits, and the department,
 * office and group facets. Immutable; DirectoryViews replaces it when the audience's feed moves.
 */
export class DirectoryView {
  private readonly contacts: ListedContact[];
  private readonly names: PrefixIndex;
  private readonly words: PrefixIndex;
  private readonly phones: string[];
  /** Folded department and office of each contact, so a filter compares plain strings. */
  private readonly departments: string[];
  private readonly offices: string[];
  private readonly byId: Map<string, ListedContact>;
  readonly facets: { departments: Facet[]; offices: Facet[]; groups: { id: string; name: string; count: number }[] };

  constructor(contacts: Iterable<ListedContact>, private readonly groups: readonly VisibleGroup[]) {
    // Departments, titles, offices and cities repeat across thousands of contacts: fold each
    // distinct value once. Sort keys are folded strings compared with `<`, since Intl.Collator's
    // compare costs about a microsecond a call, 1.7M calls at 100k contacts.
    const folded = memo(foldText);
    const words = memo((v: string) => wordsOf(v));
    const wordsOfAll = (values: (string | null)[]) => values.flatMap((v) => (v ? words(v) : []));
    this.contacts = [...contacts]
      .map((c) => ({ c, key: folded(c.displayName ?? '') }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.c.id < b.c.id ? -1 : 1))
      .map((x) => x.c);
    this.byId = new Map(this.contacts.map((c) => [c.id, c]));
    const nameWords = this.contacts.map((c) => wordsOfAll([c.displayName, c.givenName, c.surname]));
    this.names = new PrefixIndex(nameWords);
    this.words = new PrefixIndex(
      this.contacts.map((c, i) => nameWords[i]!.concat(wordsOfAll([c.jobTitle, c.department, c.officeLocation, c.mail, c.userPrincipalName === c.mail ? null : c.userPrincipalName, c.city, c.companyName]))),
    );
    this.departments = this.contacts.map((c) => folded(c.department ?? ''));
    this.offices = this.contacts.map((c) => folded(c.officeLocation ?? ''));
    this.phones = this.contacts.map((c) => [...c.businessPhones, ...(c.mobilePhone ? [c.mobilePhone] : [])].map(digitsOf).join(' '));
    this.facets = {
      departments: countValues(this.contacts.map((c) => c.department), folded),
      offices: countValues(this.contacts.map((c) => c.officeLocation), folded),
      groups: groups
        .map((g) => ({ id: g.id, name: g.name, count: [...g.members].filter((id) => this.byId.has(id)).length }))
        .sort((a, b) => collator.compare(a.name, b.name)),
    };
  }

  get size(): number {
    return this.contacts.length;
  }

  get(id: string): ListedContact | undefined {
    return this.byId.get(id);
  }

  /**
   * Contacts matching every given filter and the search, people whose name matches first, then by
   * name. An unknown filter value simply matches nothing.
   */
  search(query: DirectoryQuery): DirectoryPage {
    const { words, digits } = parseQuery(query.q ?? '');
    const n = this.contacts.length;
    // marks: how many query words a contact matched so far, in its names (rank 0) or anywhere.
    let byName: Uint16Array | undefined;
    let anywhere: Uint16Array | undefined;
    if (words.length > 0) {
      byName = new Uint16Array(n);
      anywhere = new Uint16Array(n);
      words.forEach((word, step) => {
        this.names.advance(word, byName!, step);
        this.words.advance(word, anywhere!, step);
      });
    }
    const all = words.length;
    const department = query.department === undefined ? undefined : foldText(query.department);
    const office = query.office === undefined ? undefined : foldText(query.office);
    const groupMembers = query.group === undefined ? undefined : (this.groups.find((g) => g.id === query.group)?.members ?? new Set<string>());
    const first: number[] = [];
    const rest: number[] = [];
    for (let i = 0; i < n; i++) {
      let rank = 0;
      if (byName && byName[i] !== all) {
        if (anywhere![i] === all || (digits !== undefined && this.phones[i]!.includes(digits))) rank = 1;
        else continue;
      }
      if (department !== undefined && this.departments[i] !== department) continue;
      if (office !== undefined && this.offices[i] !== office) continue;
      if (groupMembers && !groupMembers.has(this.contacts[i]!.id)) continue;
      (rank === 0 ? first : rest).push(i);
    }
    const total = first.length + rest.length;
    const end = Math.min(query.offset + query.limit, total);
    const contacts: ListedContact[] = [];
    for (let k = query.offset; k < end; k++) contacts.push(this.contacts[k < first.length ? first[k]! : rest[k - first.length]!]!);
    return { contacts, total, nextOffset: end < total ? end : undefined };
  }
}

/**
 * Distinct non-empty values with how many contacts have each, the MAX_FACET_VALUES most common, A–Z. Spellings differing only in case
 * or accents ("Sales", "sales") are one value, since the filter matches them alike; it is shown as
 * its most frequent spelling.
 */
function countValues(values: (string | null)[], fold: (v: string) => string): Facet[] {
  const byKey = new Map<string, { count: number; spellings: Map<string, number> }>();
  for (const v of values) {
    if (!v) continue;
    const key = fold(v);
    const entry = byKey.get(key) ?? { count: 0, spellings: new Map<string, number>() };
    entry.count += 1;
    entry.spellings.set(v, (entry.spellings.get(v) ?? 0) + 1);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .map(({ count, spellings }) => ({ value: [...spellings].sort((a, b) => b[1] - a[1])[0]![0], count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, MAX_FACET_VALUES)
    .sort((a, b) => collator.compare(a.value, b.value));
}

/** A function remembering its results for the duration of one view build. */
function memo<T>(fn: (value: string) => T): (value: string) => T {
  const cache = new Map<string, T>();
  return (value) => {
    let out = cache.get(value);
    if (out === undefined) cache.set(value, (out = fn(value)));
    return out;
  };
}
