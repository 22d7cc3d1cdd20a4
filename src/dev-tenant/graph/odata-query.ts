import type { Request } from 'express';
import { propertyName, type EntityType } from './entities.js';
import { GraphError } from './graph-errors.js';
import { compileFilter, type CompiledFilter } from './odata-filter.js';

/**
 * Query options of directory collections (https://learn.microsoft.com/graph/query-parameters,
 * https://learn.microsoft.com/graph/aad-advanced-queries): $select, $filter, $top 1–999, $orderby,
 * and $search/$count, which need `ConsistencyLevel: eventual`. Advanced operators also need
 * `$count=true`; a `$count=true` without the header is silently ignored, as documented.
 */

export const MAX_TOP = 999;
const ADVANCED_HINT = 'Add the $count=true query parameter and the ConsistencyLevel: eventual header (https://aka.ms/graph-docs/advanced-queries).';

/** Query options keyed by lower-case name without `$` (Graph v1.0 accepts `select=` as well as `$select=`). */
export function queryOptions(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  const q = req.originalUrl.indexOf('?');
  if (q < 0) return out;
  for (const [k, v] of new URLSearchParams(req.originalUrl.slice(q + 1))) out.set(k.replace(/^\$/, '').toLowerCase(), v);
  return out;
}

export function eventual(req: Request): boolean {
  return (req.get('ConsistencyLevel') ?? '').toLowerCase() === 'eventual';
}

/** $select validated against one or more types (a directoryObject collection accepts either's properties). */
export function parseSelect(value: string | undefined, types: readonly EntityType<never>[]): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((raw) => {
    const name = raw.trim();
    for (const t of types) {
      const canonical = propertyName(t, name);
      if (canonical) return canonical;
    }
    throw new GraphError(400, 'BadRequest', `Could not find a property named '${name}' on type '${types[0]!.odataType.slice(1)}'.`);
  });
}

export function parseTop(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_TOP) {
    throw new GraphError(400, 'Request_UnsupportedQuery', `Invalid page size specified: '${value}'. Must be between 1 and ${MAX_TOP} inclusive.`);
  }
  return n;
}

export interface ListQuery<T> {
  select?: string[];
  filter?: CompiledFilter<T>;
  search?: (o: T) => boolean;
  orderBy?: { prop: string; desc: boolean };
  top?: number;
  /** `@odata.count` was asked for (and allowed). */
  count: boolean;
  skipToken?: string;
}

/**
 * Parses and checks the options of a list. `relationship` lists (members, memberOf) accept $filter,
 * $search and $orderby only as advanced queries, as their pages document.
 */
export function parseListQuery<T>(req: Request, type: EntityType<T>, opts: { relationship?: boolean; cast?: boolean } = {}): ListQuery<T> {
  const o = queryOptions(req);
  if (o.has('skip')) throw new GraphError(400, 'Request_BadRequest', "'$skip' is not supported by the service.");
  if (o.has('expand')) throw new GraphError(400, 'Request_UnsupportedQuery', 'The dev tenant does not support $expand on this resource.');
  const cl = eventual(req);
  const advanced = cl && o.get('count')?.toLowerCase() === 'true';
  const query: ListQuery<T> = { count: advanced, top: parseTop(o.get('top')), select: parseSelect(o.get('select'), [type]), skipToken: o.get('skiptoken') };
  const searchText = o.get('search');
  if (searchText !== undefined) {
    if (!cl) throw new GraphError(400, 'Request_UnsupportedQuery', "The $search query parameter requires the request header 'ConsistencyLevel: eventual'.");
    query.search = compileSearch(type, searchText);
  }
  const filterText = o.get('filter');
  if (filterText !== undefined) {
    query.filter = compileFilter(type, filterText);
    const [first] = query.filter.advanced;
    if (first && !advanced) throw new GraphError(400, 'Request_UnsupportedQuery', `Operator '${first}' is not supported because the required parameters might be missing. ${ADVANCED_HINT}`);
  }
  const orderText = o.get('orderby');
  if (orderText !== undefined) {
    const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(orderText);
    const prop = m ? propertyName(type, m[1]!) : undefined;
    if (!m || !prop || !type.orderable.includes(prop) || (query.filter && !advanced)) {
      throw new GraphError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
    }
    query.orderBy = { prop, desc: m[2]?.toLowerCase() === 'desc' };
  }
  if (opts.relationship && !advanced && (query.filter || query.orderBy || query.search || opts.cast)) {
    throw new GraphError(400, 'Request_UnsupportedQuery', `$filter, $search, $orderby and OData casts on this relationship need advanced query parameters. ${ADVANCED_HINT}`);
  }
  return query;
}

/**
 * `$search="property:term"` clauses joined by AND/OR. Directory search is tokenized: a term matches
 * when each of its words starts a word of the property (https://learn.microsoft.com/graph/search-query-parameter).
 */
export function compileSearch<T>(type: EntityType<T>, text: string): (o: T) => boolean {
  const clause = /^\s*"([^":]+):([^"]*)"\s*(?:(AND|OR)\b|$)/i;
  const clauses: { prop: string; terms: string[]; join?: string }[] = [];
  let rest = text;
  while (rest.trim() !== '') {
    const m = clause.exec(rest);
    if (!m) throw new GraphError(400, 'Request_UnsupportedQuery', `Syntax error in $search: use quoted clauses such as "displayName:term", got ${text}.`);
    const prop = propertyName(type, m[1]!.trim());
    if (!prop || !type.searchable.includes(prop)) throw new GraphError(400, 'Request_UnsupportedQuery', `$search is not supported on property '${m[1]}' of resource '${type.resource}'.`);
    clauses.push({ prop, terms: words(m[2]!), join: m[3]?.toUpperCase() });
    rest = rest.slice(m[0].length);
  }
  const matches = (o: T, c: { prop: string; terms: string[] }): boolean => {
    const value = type.properties[c.prop]!.get(o);
    const have = words(typeof value === 'string' ? value : '');
    return c.terms.every((t) => have.some((w) => w.startsWith(t)));
  };
  return (o) => {
    let result = matches(o, clauses[0]!);
    for (let i = 1; i < clauses.length; i++) {
      const join = clauses[i - 1]!.join;
      result = join === 'OR' ? result || matches(o, clauses[i]!) : result && matches(o, clauses[i]!);
    }
    return result;
  };
}

/** Lower-case words, split at non-alphanumerics and camelCase boundaries. */
function words(s: string): string[] {
  return s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}
