import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

/**
 * What a Graph client sent and met, counted per HTTP attempt (retries included): a sync run records
 * `requests` as graph_requests and `throttled` as throttled. Pass one in per run, or read the client's.
 */
export class GraphRequestStats {
  /** HTTP requests sent, each retry counted. */
  requests = 0;
  /** 429 responses. */
  throttled = 0;
  /** 5xx responses (503/504 are retried by the SDK). */
  serverErrors = 0;
  /** Attempts that got no response at all (reset, hang up, timeout). */
  networkErrors = 0;
}

/** SDK middleware, just above the transport, so every attempt is seen once. */
export class CountingHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly stats: GraphRequestStats) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    this.stats.requests++;
    try {
      await this.next!.execute(context);
    } catch (err) {
      this.stats.networkErrors++;
      throw err;
    }
    const status = context.response?.status ?? 0;
    if (status === 429) this.stats.throttled++;
    else if (status >= 500) this.stats.serverErrors++;
  }
}
