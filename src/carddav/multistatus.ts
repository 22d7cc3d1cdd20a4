/**
 * Multi-Status bodies (https://www.rfc-editor.org/rfc/rfc4918#section-13 and §14.16), written as a
 * stream: the opening tag goes out at once, each response as soon as it is built, so a 10,000-card
 * answer never sits whole in memory.
 *
 * Status lines read exactly `HTTP/1.1 200 OK`: Thunderbird compares the literal string, and DAV
 * clients in general parse the reason phrase loosely at best.
 */
import type { ResponseSink } from './http-io.js';
import { dav, escapeXml, ROOT_NAMESPACES } from './xml.js';

const REASONS: Record<number, string> = {
  200: 'OK',
  403: 'Forbidden',
  404: 'Not Found',
  507: 'Insufficient Storage',
};

export const statusLine = (status: number): string => `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}`;

export interface Propstat {
  status: number;
  /** Serialized property elements. */
  props: string[];
}

export const MULTISTATUS_CONTENT_TYPE = 'application/xml; charset=utf-8';

export const multistatusStart = (): string => `<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus ${ROOT_NAMESPACES}>\n`;

export const multistatusEnd = (syncToken?: string): string => `${syncToken === undefined ? '' : dav('sync-token', escapeXml(syncToken))}</d:multistatus>\n`;

/**
 * A response with propstats, the 200 one first (callers pass them in that order). Written as one
 * template: a report writes one per card, and it is the same shape every time.
 */
export function propstatXml(href: string, propstats: Propstat[]): string {
  let stats = '';
  for (const p of propstats) stats += `<d:propstat><d:prop>${p.props.join('')}</d:prop><d:status>${statusLine(p.status)}</d:status></d:propstat>`;
  return `<d:response><d:href>${escapeXml(href)}</d:href>${stats}</d:response>\n`;
}

/** A response carrying only a status: a member that is gone (404) or a truncated result (507). */
export function statusXml(href: string, status: number): string {
  return `${dav('response', dav('href', escapeXml(href)) + dav('status', statusLine(status)))}\n`;
}

/**
 * The responses of a page of items, concatenated in order. `render` gives a string when the item's
 * properties answered at once (DavServer.responseXml, the common case) and a promise otherwise; only
 * promises are awaited, since a report renders thousands of cards and each await costs a turn of
 * the microtask queue. Items are rendered one after another, never concurrently.
 */
export async function joinXml<T>(items: Iterable<T>, render: (item: T) => string | Promise<string>): Promise<string> {
  let out = '';
  for (const item of items) {
    const xml = render(item);
    out += typeof xml === 'string' ? xml : await xml;
  }
  return out;
}

/** Writes a whole multistatus from pages of responses. */
export async function writeMultistatus(sink: ResponseSink, body: () => AsyncIterable<string>, syncToken?: () => string | undefined): Promise<void> {
  await sink.write(multistatusStart());
  for await (const part of body()) await sink.write(part);
  await sink.write(multistatusEnd(syncToken?.()));
  await sink.end();
}
