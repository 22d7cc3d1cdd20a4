import v8 from 'node:v8';
import vm from 'node:vm';
import type { DeviceLogin } from './product.js';

const NS = 'xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"';

export interface LoadResult {
  requests: number;
  errors: string[];
  latencies: number[];
  ms: number;
}

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
};

/** Every request of a load phase goes through here: bounded in time, timed, errors counted (never thrown). */
async function timedRequest(result: LoadResult, what: string, fn: () => Promise<Response>, ok: (res: Response, text: string) => boolean): Promise<string | undefined> {
  const started = performance.now();
  result.requests++;
  try {
    const res = await fn();
    const text = await res.text();
    result.latencies.push(performance.now() - started);
    if (!ok(res, text)) {
      result.errors.push(`${what}: ${res.status} ${text.slice(0, 120)}`);
      return undefined;
    }
    return text;
  } catch (err) {
    result.errors.push(`${what}: ${err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err)}`);
    return undefined;
  }
}

/** A device's sync as a phone does it at its interval: sync-collection from its token (initial when it has none). */
export async function deviceSync(base: string, device: DeviceLogin & { token?: string }, result: LoadResult, timeoutMs = 60_000): Promise<void> {
  const body = `<d:sync-collection ${NS}><d:sync-token>${device.token ?? ''}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  const text = await timedRequest(
    result,
    `sync ${device.username}`,
    () => fetch(`${base}${device.book}`, { method: 'REPORT', headers: { authorization: `Basic ${Buffer.from(`${device.username}:${device.password}`).toString('base64')}`, depth: '1', 'content-type': 'application/xml; charset=utf-8' }, body, signal: AbortSignal.timeout(timeoutMs) }),
    (res, t) => res.status === 207 && t.includes('sync-token>'),
  );
  const token = text && /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(text)?.[1];
  if (token) device.token = token;
}

/** A tab user typing a search: one request per prefix of the word, as search-as-you-type sends them. */
export async function tabSearch(base: string, token: string, word: string, result: LoadResult, timeoutMs = 60_000): Promise<void> {
  for (let n = 1; n <= word.length; n++) {
    await timedRequest(
      result,
      `search ${word.slice(0, n)}`,
      () => fetch(`${base}/api/directory?q=${encodeURIComponent(word.slice(0, n))}&limit=50`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) }),
      (res, t) => res.status === 200 && t.startsWith('{"contacts":'),
    );
  }
}

export const newResult = (): LoadResult => ({ requests: 0, errors: [], latencies: [], ms: 0 });

/** Runs tasks with at most `concurrency` at once (all at once when it is ≥ the number of tasks). */
export async function pool(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (next < tasks.length) await tasks[next++]!();
  }));
}

/**
 * A full garbage collection, so heap figures compare live data rather than when V8 last collected.
 * Vitest's workers do not run with --expose-gc; the flag can still be turned on at run time.
 */
export function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
