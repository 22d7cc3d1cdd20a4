import { DeltaTokenExpired, type GraphPage, type GraphPages } from '../../../src/core/sync/graph-pages.js';

/**
 * A minimal GraphPages over fetch for the sync core's tests, with a fixed token. Production uses the
 * Graph SDK adapter; this one lets a test count requests and cut a round short.
 */
export class FetchPages implements GraphPages {
  requests = 0;
  /** Throw after this many more page requests (simulates a crash mid-round). */
  failAfter = Infinity;
  /** Only requests whose URL contains this count towards `failAfter` (the users and groups rounds run side by side). */
  failOnly: string | undefined;

  /** Asks Graph for small delta pages (`Prefer: odata.maxpagesize`), so a round spans many. */
  maxPageSize: number | undefined;

  constructor(
    private readonly graphBase: string,
    private readonly token: () => Promise<string>,
  ) {}

  private async fetch(url: string): Promise<Response> {
    if ((this.failOnly === undefined || url.includes(this.failOnly)) && this.failAfter-- <= 0) throw new Error('simulated crash');
    this.requests++;
    const full = url.startsWith('https://') ? url : `${this.graphBase}${url}`;
    const prefer: Record<string, string> = this.maxPageSize ? { prefer: `odata.maxpagesize=${this.maxPageSize}` } : {};
    return fetch(full, { headers: { authorization: `Bearer ${await this.token()}`, ...prefer } });
  }

  async get(url: string): Promise<GraphPage> {
    const res = await this.fetch(url);
    if (res.status === 410 || res.status === 400) {
      const body = (await res.json()) as { error?: { code?: string } };
      if (res.status === 410 || body.error?.code === 'syncStateNotFound') throw new DeltaTokenExpired(url.includes('/groups/') ? 'groups' : 'users');
      throw new Error(`Graph ${res.status}: ${JSON.stringify(body)}`);
    }
    if (!res.ok) throw new Error(`Graph ${res.status}: ${await res.text()}`);
    return (await res.json()) as GraphPage;
  }

  async getOptional(url: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.fetch(url);
    if (res.status === 404) return undefined;
    return (await res.json()) as Record<string, unknown>;
  }

  async getBytes(url: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
    const res = await this.fetch(url);
    if (res.status === 404) return undefined;
    return { contentType: res.headers.get('content-type') ?? 'application/octet-stream', bytes: Buffer.from(await res.arrayBuffer()) };
  }

  async batch(urls: string[]): Promise<{ status: number; body: unknown }[]> {
    if (this.failAfter-- <= 0) throw new Error('simulated crash');
    this.requests++;
    const res = await fetch(`${this.graphBase}/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requests: urls.map((url, i) => ({ id: String(i), method: 'GET', url })) }),
    });
    const body = (await res.json()) as { responses: { id: string; status: number; body: unknown }[] };
    return body.responses.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => ({ status: r.status, body: r.body }));
  }
}
