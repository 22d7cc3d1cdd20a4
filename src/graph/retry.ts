import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { GraphUnreachable } from './graph-errors.js';

/**
 * How hard Switchboard's Graph client tries before giving up.
 *
 * Status retries are the SDK's RetryHandler: 429, 503 and 504, honouring Retry-After (seconds, may be
 * fractional, or an HTTP date) and otherwise backing off exponentially from `delaySeconds`
 * (https://learn.microsoft.com/graph/throttling). The SDK does not retry a request that never got a
 * response — a reset connection, a socket hang up — so {@link NetworkRetryHandler} does, bounded by
 * count and by elapsed time.
 */
export interface RetryPolicy {
  /** SDK status retries per request (the SDK caps this at 10 and each wait at 180 s). */
  maxRetries: number;
  /** Base delay of status retries without Retry-After, in seconds. */
  delaySeconds: number;
  /** Retries after a network error. */
  networkRetries: number;
  /** First network-retry delay; doubles each time, with jitter. */
  networkBaseDelayMs: number;
  /** No network retry is started once this much time has passed since the first attempt. */
  networkBudgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 6,
  delaySeconds: 1,
  networkRetries: 4,
  networkBaseDelayMs: 200,
  networkBudgetMs: 30_000,
};

/** Errors that mean "the connection failed", which a second attempt may not meet. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TRANSIENT_MESSAGES = /socket hang up|other side closed|ECONNRESET/i;

export function isTransientNetworkError(err: unknown): boolean {
  // fetch wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }).
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== 'object') return false;
    const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
    if (name === 'AbortError') return false; // the caller gave up: not ours to retry
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
  }
  return false;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether sending the request again is safe: idempotent methods, and `$batch`, which Switchboard
 * only fills with GETs. A streamed body cannot be sent twice.
 */
function isReplayable(context: Context): boolean {
  const request = context.request;
  const method = (context.options?.method ?? (typeof request === 'string' ? 'GET' : request.method)).toUpperCase();
  const url = typeof request === 'string' ? request : request.url;
  const body = context.options?.body;
  const replayableBody = body === undefined || body === null || typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body);
  return replayableBody && (IDEMPOTENT.has(method) || /\/\$batch(\?|$)/.test(url));
}

/** SDK middleware: retries requests that failed without a response. */
export class NetworkRetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly policy: Pick<RetryPolicy, 'networkRetries' | 'networkBaseDelayMs' | 'networkBudgetMs'>,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly now: () => number = Date.now,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const started = this.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.next!.execute(context);
        return;
      } catch (err) {
        if (!isTransientNetworkError(err) || !isReplayable(context)) throw err;
        const delay = this.policy.networkBaseDelayMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
        if (attempt > this.policy.networkRetries || this.now() - started + delay > this.policy.networkBudgetMs) {
          throw new GraphUnreachable(urlOf(context), attempt, { cause: err });
        }
        await this.sleep(delay);
      }
    }
  }
}

function urlOf(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}
