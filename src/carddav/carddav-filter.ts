/**
 * addressbook-query filters (https://www.rfc-editor.org/rfc/rfc6352#section-10.5) and text-match
 * collations (RFC 6352 §8.3, https://www.rfc-editor.org/rfc/rfc4790 and rfc5051).
 *
 * Filters run over the properties of the vCard we serve, so FN, N, EMAIL, TEL and everything else on
 * the card can be matched, and a property the policy hides is absent here too. Matching follows
 * sabre/dav's reading of the RFC where it is ambiguous: a text-match holds when any instance of the
 * property matches, then negate-condition inverts that; a filter on a property the card lacks fails.
 */
import { DavError } from './dav-error.js';
import type { VCard } from './vcard.js';
import { child, childrenNamed, NS_CARDDAV, type XmlElement } from './xml.js';

export type Collation = 'i;unicode-casemap' | 'i;ascii-casemap' | 'i;octet';
export type MatchType = 'equals' | 'contains' | 'starts-with' | 'ends-with';

export interface TextMatch {
  text: string;
  collation: Collation;
  matchType: MatchType;
  negate: boolean;
}

export interface PropFilter {
  name: string;
  test: 'anyof' | 'allof';
  isNotDefined: boolean;
  textMatches: TextMatch[];
}

export interface CardFilter {
  test: 'anyof' | 'allof';
  props: PropFilter[];
}

/** A filter that matches every card (an empty or missing CARDDAV:filter, as DAVx5 and Evolution send). */
export const matchesAll = (f: CardFilter): boolean => f.props.length === 0;

const COLLATIONS: readonly string[] = ['i;unicode-casemap', 'i;ascii-casemap', 'i;octet'];
const MATCH_TYPES: readonly string[] = ['equals', 'contains', 'starts-with', 'ends-with'];

const unsupported = (message: string, local: string) => new DavError(403, message, { condition: { ns: NS_CARDDAV, local } });

export function parseFilter(el: XmlElement | undefined): CardFilter {
  if (!el) return { test: 'anyof', props: [] };
  return { test: parseTest(el.attrs.test), props: childrenNamed(el, NS_CARDDAV, 'prop-filter').map(parsePropFilter) };
}

function parseTest(value: string | undefined): 'anyof' | 'allof' {
  if (value === undefined || value === 'anyof') return 'anyof';
  if (value === 'allof') return 'allof';
  throw new DavError(400, `Invalid filter test "${value}": use anyof or allof.`);
}

function parsePropFilter(el: XmlElement): PropFilter {
  const name = el.attrs.name?.trim().toUpperCase();
  if (!name) throw new DavError(400, 'A CARDDAV:prop-filter needs a name attribute.');
  if (child(el, NS_CARDDAV, 'param-filter')) throw unsupported('CARDDAV:param-filter is not supported; filter on property values with text-match.', 'supported-filter');
  return {
    name,
    test: parseTest(el.attrs.test),
    isNotDefined: !!child(el, NS_CARDDAV, 'is-not-defined'),
    textMatches: childrenNamed(el, NS_CARDDAV, 'text-match').map(parseTextMatch),
  };
}

function parseTextMatch(el: XmlElement): TextMatch {
  const collation = el.attrs.collation ?? 'i;unicode-casemap';
  if (!COLLATIONS.includes(collation)) throw unsupported(`Collation "${collation}" is not supported (i;unicode-casemap, i;ascii-casemap, i;octet are).`, 'supported-collation');
  const matchType = el.attrs['match-type'] ?? 'contains';
  if (!MATCH_TYPES.includes(matchType)) throw new DavError(400, `Invalid match-type "${matchType}".`);
  return { text: el.text, collation: collation as Collation, matchType: matchType as MatchType, negate: el.attrs['negate-condition'] === 'yes' };
}

export function evaluate(filter: CardFilter, card: VCard): boolean {
  if (filter.props.length === 0) return true;
  const results = filter.props.map((p) => evaluateProp(p, card));
  return filter.test === 'allof' ? results.every(Boolean) : results.some(Boolean);
}

function evaluateProp(filter: PropFilter, card: VCard): boolean {
  const values = card.properties.filter((p) => p.name === filter.name).map((p) => p.values.join(';'));
  if (filter.isNotDefined) return values.length === 0;
  if (values.length === 0) return false;
  if (filter.textMatches.length === 0) return true;
  const results = filter.textMatches.map((m) => values.some((v) => textMatches(v, m)) !== m.negate);
  return filter.test === 'allof' ? results.every(Boolean) : results.some(Boolean);
}

function fold(s: string, collation: Collation): string {
  if (collation === 'i;octet') return s;
  if (collation === 'i;ascii-casemap') return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  // RFC 5051 folds case and decomposes; lower-casing the NFKD form is close enough for names.
  return s.normalize('NFKD').toLowerCase();
}

export function textMatches(value: string, m: TextMatch): boolean {
  const v = fold(value, m.collation);
  const t = fold(m.text, m.collation);
  switch (m.matchType) {
    case 'equals':
      return v === t;
    case 'starts-with':
      return v.startsWith(t);
    case 'ends-with':
      return v.endsWith(t);
    default:
      return v.includes(t);
  }
}
