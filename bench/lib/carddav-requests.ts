import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseXml, type XmlElement } from '../../src/carddav/xml.js';
import { davx5, thunderbird } from '../../test/carddav/client-bodies.js';
import { median } from './stats.js';

/** Where to send DAV requests: a server's base URL, its book's path and credentials. */
export interface Target {
  baseUrl: string;
  book: string;
  authorization: string | undefined;
}

export interface Exchange {
  status: number;
  bytes: number;
  ms: number;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * One DAV request, timed from send to the last byte of the response body. node:http rather than
 * fetch: undici trips an internal assertion when Radicale's server ends the connection mid-stream.
 */
export function dav(target: Target, method: string, p: string, body: string, depth: string, timeoutMs: number): Promise<Exchange> {
  const payload = Buffer.from(body);
  const headers: Record<string, string> = { 'content-type': 'application/xml; charset=utf-8', depth, 'content-length': String(payload.length) };
  if (target.authorization) headers.authorization = target.authorization;
  const url = new URL(`${target.baseUrl}${p}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const ms = performance.now() - started;
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes: buf.length, ms, text: buf.toString('utf8') });
      });
    });
    const timer = setTimeout(() => {
      const err = new Error(`no answer in ${timeoutMs} ms`);
      err.name = 'TimeoutError';
      req.destroy(err);
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(payload);
  });
}

export interface Parsed {
  responses: { href: string; status: string | undefined; etag: string | undefined; card: string | undefined }[];
  syncToken: string | undefined;
}

const child = (e: XmlElement, local: string) => e.children.find((c) => c.local === local);

/** A 207 multistatus: each response's href, status, ETag and address data, and the sync token. */
export function parseMultistatus(text: string): Parsed {
  const root = parseXml(Buffer.from(text), { maxElements: 50_000_000, maxDepth: 64 });
  const responses = root.children
    .filter((c) => c.local === 'response' && c.ns === 'DAV:')
    .map((r) => {
      const okProps = r.children
        .filter((c) => c.local === 'propstat' && /\s200\s/.test(child(c, 'status')?.text ?? ''))
        .flatMap((ps) => child(ps, 'prop')?.children ?? []);
      const prop = (local: string) => okProps.find((p) => p.local === local)?.text;
      return { href: child(r, 'href')!.text.trim(), status: child(r, 'status')?.text, etag: prop('getetag'), card: prop('address-data') };
    });
  return { responses, syncToken: child(root, 'sync-token')?.text.trim() };
}

export type RequestName = 'listing' | 'syncInitialEtags' | 'syncInitialData' | 'multiget100' | 'multigetAll' | 'syncNoChange' | 'syncOneChange';

export const REQUESTS: { name: RequestName; label: string }[] = [
  { name: 'listing', label: 'PROPFIND Depth 1 listing (Thunderbird body)' },
  { name: 'syncInitialEtags', label: 'sync-collection, empty token, ETags only (DAVx5 body)' },
  { name: 'syncInitialData', label: 'sync-collection, empty token, with address-data (Thunderbird body)' },
  { name: 'multiget100', label: 'addressbook-multiget of 100 cards (Thunderbird body)' },
  { name: 'multigetAll', label: 'addressbook-multiget of all cards (Thunderbird body)' },
  { name: 'syncNoChange', label: 'sync-collection, current token, no change (DAVx5 body)' },
  { name: 'syncOneChange', label: 'sync-collection after one change (DAVx5 body)' },
];

/** The method, depth and body of each request for one book (hrefs as that server names them). */
export function requestFor(name: Exclude<RequestName, 'syncNoChange' | 'syncOneChange'>, hrefs: string[]): { method: string; depth: string; body: string } {
  switch (name) {
    case 'listing':
      return { method: 'PROPFIND', depth: '1', body: thunderbird.listing };
    case 'syncInitialEtags':
      return { method: 'REPORT', depth: '0', body: davx5.syncCollection(null) };
    case 'syncInitialData':
      return { method: 'REPORT', depth: '1', body: thunderbird.syncCollection('') };
    case 'multiget100':
      return { method: 'REPORT', depth: '1', body: thunderbird.multiget(hrefs.slice(0, 100)) };
    case 'multigetAll':
      return { method: 'REPORT', depth: '1', body: thunderbird.multiget(hrefs) };
  }
}

export interface MeasureOptions {
  /** Untimed sends before the timed runs: while they total under this… */
  warmUpBudgetMs: number;
  /** …up to this many (at least one). */
  warmUpMaxRuns: number;
  /** Timed runs at least (after the warm-up). */
  runs: number;
  /** More timed runs while their total stays under this… */
  budgetMs: number;
  /** …up to this many. */
  maxRuns: number;
  /** A run slower than this ends the measurement (and a warm-up this slow counts as the run). */
  slowMs: number;
  timeoutMs: number;
}

export interface Measured {
  /** Times of the timed runs (ms). */
  runs: number[];
  /** The first send, before anything was warm (ms). */
  firstMs: number | undefined;
  medianMs: number | undefined;
  status: number | undefined;
  bytes: number | undefined;
  responses: number | undefined;
  /** vCards in the last answer (BEGIN:VCARD lines): a server may answer address-data with a 404 propstat. */
  cards: number | undefined;
  /** Set when it failed or did not complete: the reason as the report shows it. */
  failure: string | undefined;
}

/**
 * Times a request the way a device meets a server that has been serving devices: first sent untimed
 * until warm (caches filled, code paths compiled; up to `warmUpMaxRuns` sends while they total under
 * `warmUpBudgetMs`, the same for every server), then at least `runs` timed runs, and more while they
 * fit in `budgetMs` (up to `maxRuns`), so a median of 2 ms rests on more than five samples. The first
 * send is kept as `firstMs` (the cold figure). A first send slower than `slowMs` is itself the one
 * timed run: so much work is not warming. A run that does not complete in `timeoutMs`, or answers
 * other than 207, ends the measurement with a failure.
 */
export async function measure(send: (timeoutMs: number) => Promise<Exchange>, options: MeasureOptions): Promise<Measured> {
  const runs: number[] = [];
  let last: Exchange | undefined;
  let firstMs: number | undefined;
  const failed = (err: unknown): Measured => {
    const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? `did not complete in ${Math.round(options.timeoutMs / 1000)} s` : `failed: ${err instanceof Error ? err.message : String(err)}`;
    return { runs, firstMs, medianMs: runs.length ? median(runs) : undefined, status: undefined, bytes: undefined, responses: undefined, cards: undefined, failure: reason };
  };
  const refused = (x: Exchange): Measured => ({ runs, firstMs, medianMs: undefined, status: x.status, bytes: x.bytes, responses: undefined, cards: undefined, failure: `answered ${x.status}: ${x.text.replace(/\s+/g, ' ').slice(0, 160)}` });

  /** One send: its exchange, or (a failure or an answer other than 207) the Measured that ends the measurement. */
  const sendOnce = async (): Promise<Exchange | Measured> => {
    let x: Exchange;
    try {
      x = await send(options.timeoutMs);
    } catch (err) {
      return failed(err);
    }
    return x.status === 207 ? x : refused(x);
  };

  let warmUp = 0;
  for (let sends = 0; sends < options.warmUpMaxRuns && (sends === 0 || warmUp < options.warmUpBudgetMs); sends++) {
    const outcome = await sendOnce();
    if ('failure' in outcome) return outcome;
    last = outcome;
    firstMs ??= last.ms;
    warmUp += last.ms;
    if (last.ms > options.slowMs) {
      runs.push(last.ms);
      break;
    }
  }
  let spent = 0;
  while (runs.length === 0 || (last!.ms <= options.slowMs && (runs.length < options.runs || (spent < options.budgetMs && runs.length < options.maxRuns)))) {
    const outcome = await sendOnce();
    if ('failure' in outcome) return outcome;
    last = outcome;
    runs.push(last.ms);
    spent += last.ms;
  }
  const responses = last ? (last.text.match(/<([A-Za-z0-9]+:)?response[\s>]/g) ?? []).length : undefined;
  const cards = last ? (last.text.match(/BEGIN:VCARD/g) ?? []).length : undefined;
  return { runs, firstMs, medianMs: median(runs), status: last?.status, bytes: last?.bytes, responses, cards, failure: undefined };
}
