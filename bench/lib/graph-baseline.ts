import { performance } from 'node:perf_hooks';
import { USER_SELECT } from '../../src/core/policy/contact-fields.js';
import { GROUP_SELECT } from '../../src/core/sync/user-record.js';

export interface PagingFigures {
  wallMs: number;
  requests: number;
  objects: number;
  /** Response bytes as received (the dev tenant does not compress). */
  bytes: number;
}

/** Paging both delta queries, and each on its own. */
export interface BaselineFigures extends PagingFigures {
  users: PagingFigures;
  groups: PagingFigures;
}

/**
 * The floor for a first round: follow every nextLink of /users/delta and /groups/delta to the
 * deltaLink with the bare `fetch` (undici, Node's built-in), the sync's token and no SDK, parsing
 * each page only to find the next link and throwing it away. Same `$select` as the sync, and the
 * same shape: the sync pages the two queries side by side, so the floor does too (paging them one
 * after the other would be a slower floor and flatter the ratio).
 */
export async function pageDeltaToEnd(graphBaseUrl: string, token: string): Promise<BaselineFigures> {
  const started = performance.now();
  const [users, groups] = await Promise.all([
    pageToEnd(`${graphBaseUrl}/users/delta?$select=${USER_SELECT.join(',')}`, token),
    pageToEnd(`${graphBaseUrl}/groups/delta?$select=${GROUP_SELECT.join(',')}`, token),
  ]);
  const sum = (k: keyof PagingFigures) => users[k] + groups[k];
  return { wallMs: Math.round(performance.now() - started), requests: sum('requests'), objects: sum('objects'), bytes: sum('bytes'), users, groups };
}

async function pageToEnd(first: string, token: string): Promise<PagingFigures> {
  const figures = { wallMs: 0, requests: 0, objects: 0, bytes: 0 };
  const started = performance.now();
  for (let url: string | undefined = first; url; ) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    figures.requests++;
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
    figures.bytes += Buffer.byteLength(text);
    const page = JSON.parse(text) as { value: unknown[]; '@odata.nextLink'?: string };
    figures.objects += page.value.length;
    url = page['@odata.nextLink'];
  }
  figures.wallMs = Math.round(performance.now() - started);
  return figures;
}
