import type { Request, Response } from 'express';
import type { GraphServices } from './graph-context.js';
import { GraphError } from './graph-errors.js';
import { eventual, type ListQuery } from './odata-query.js';
import { queryString, sendOData } from './odata-response.js';

/**
 * Paged collections. Graph pages with `@odata.nextLink`, an absolute URL carrying the original query
 * options and an opaque `$skiptoken` (https://learn.microsoft.com/graph/paging); the default page is
 * 100 objects and `$top` takes 1–999. Unfiltered pages cost time proportional to the page, so paging
 * 100k users stays fast; $orderby and $count read the whole collection, as an index would.
 */

/** Random access to a collection; `at` may return undefined for slots to skip (deleted objects). */
export interface Source<T> {
  length: number;
  at(i: number): T | undefined;
}

export function arraySource<T>(items: readonly T[]): Source<T> {
  return { length: items.length, at: (i) => items[i] };
}

export const DEFAULT_PAGE_SIZE = 100;

interface SkipState {
  /** The query this token continues: path plus every option but the token. */
  q: string;
  /** Index in the (filtered and sorted, when sorting) collection where the next page starts. */
  c: number;
}

export function sendPage<T>(
  svc: GraphServices,
  req: Request,
  res: Response,
  source: Source<T>,
  query: ListQuery<T>,
  opts: { context: string; render: (item: T) => Record<string, unknown>; sortKey?: (item: T, prop: string) => string },
): void {
  const continued = pageQuery(req);
  let cursor = 0;
  if (query.skipToken !== undefined) {
    const state = svc.stateTokens.verify<SkipState>(query.skipToken);
    if (!state || state.q !== continued.key || !Number.isInteger(state.c)) {
      throw new GraphError(400, 'Request_BadRequest', 'The specified page token value is invalid or belongs to a different query.');
    }
    cursor = state.c;
  }
  const matches = (o: T): boolean => (!query.filter || query.filter.test(o)) && (!query.search || query.search(o));
  let view = source;
  let filtered = Boolean(query.filter || query.search);
  if (query.orderBy) {
    view = arraySource(sorted(source, matches, query.orderBy, opts.sortKey));
    filtered = false;
  }
  const top = query.top ?? DEFAULT_PAGE_SIZE;
  const value: Record<string, unknown>[] = [];
  let i = cursor;
  let next: number | undefined;
  for (; i < view.length; i++) {
    const item = view.at(i);
    if (item === undefined || (filtered && !matches(item))) continue;
    if (value.length === top) {
      next = i;
      break;
    }
    value.push(opts.render(item));
  }
  const body: Record<string, unknown> = { '@odata.context': opts.context };
  if (query.count) body['@odata.count'] = count(view, filtered ? matches : undefined);
  if (next !== undefined) {
    const token = svc.stateTokens.sign({ q: continued.key, c: next } satisfies SkipState);
    body['@odata.nextLink'] = `${svc.serviceRoot}${req.path}?${queryString([...continued.entries, ['$skiptoken', token]])}`;
  }
  body.value = value;
  sendOData(res, body);
}

/** `$count` as a path segment needs ConsistencyLevel: eventual, else 400 (advanced-queries page). */
export function sendCount(req: Request, res: Response, count: () => number): void {
  if (!eventual(req)) throw new GraphError(400, 'Request_BadRequest', '$count is not currently supported.');
  res.type('text/plain').send(String(count()));
}

/** The request's options minus any skip token, and a key identifying path + options. */
function pageQuery(req: Request): { entries: [string, string][]; key: string } {
  const q = req.originalUrl.indexOf('?');
  const entries = q < 0 ? [] : [...new URLSearchParams(req.originalUrl.slice(q + 1))].filter(([k]) => k.replace(/^\$/, '').toLowerCase() !== 'skiptoken');
  return { entries, key: `${req.path}?${queryString([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}` };
}

function sorted<T>(source: Source<T>, matches: (o: T) => boolean, order: { prop: string; desc: boolean }, sortKey?: (item: T, prop: string) => string): T[] {
  const keyed: { k: string; item: T }[] = [];
  for (let i = 0; i < source.length; i++) {
    const item = source.at(i);
    if (item !== undefined && matches(item)) keyed.push({ k: (sortKey?.(item, order.prop) ?? '').toLowerCase(), item });
  }
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  if (order.desc) keyed.reverse();
  return keyed.map((e) => e.item);
}

function count<T>(source: Source<T>, matches?: (o: T) => boolean): number {
  let n = 0;
  for (let i = 0; i < source.length; i++) {
    const item = source.at(i);
    if (item !== undefined && (!matches || matches(item))) n++;
  }
  return n;
}
