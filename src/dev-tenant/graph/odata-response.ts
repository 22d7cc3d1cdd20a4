import type { Response } from 'express';
import type { GraphServices } from './graph-context.js';

/** The content type Graph answers JSON with. */
export const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function sendOData(res: Response, body: object, status = 200): void {
  res.status(status);
  res.setHeader('Content-Type', ODATA_JSON);
  res.setHeader('OData-Version', '4.0');
  res.send(JSON.stringify(body));
}

/**
 * `@odata.context`: `{serviceRoot}/$metadata#users`, with the selected properties in parentheses and
 * `/$entity` for a single object, as Graph writes it.
 */
export function contextUrl(svc: GraphServices, path: string, select?: readonly string[], entity = false): string {
  return `${svc.serviceRoot}/$metadata#${path}${select ? `(${select.join(',')})` : ''}${entity ? '/$entity' : ''}`;
}

/**
 * A query string with `$` left literal in the names and values percent-encoded, the way Graph writes
 * its nextLink and deltaLink URLs.
 */
export function queryString(entries: Iterable<[string, string]>): string {
  return [...entries].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}
