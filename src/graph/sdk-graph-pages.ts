import { ResponseType } from '@microsoft/microsoft-graph-client';
import { DeltaTokenExpired, type GraphPage, type GraphPages } from '../core/sync/graph-pages.js';
import type { GraphClient } from './graph-client.js';
import { graphFailure } from './graph-errors.js';

/**
 * The sync core's GraphPages port on the official Graph SDK client: tokens, retries and counting
 * come from the client's middleware; this adapter only translates Graph's answers into the core's
 * terms (an expired delta token, a missing photo).
 */
export class SdkGraphPages implements GraphPages {
  constructor(private readonly client: GraphClient) {}

  async get(url: string): Promise<GraphPage> {
    try {
      return await this.client.get<GraphPage>(url);
    } catch (err) {
      const failure = graphFailure(err);
      // 400 syncStateNotFound after 7 days, or 410 Gone with a Location to restart from.
      // https://learn.microsoft.com/graph/delta-query-overview#synchronization-reset
      if (failure && (failure.status === 410 || (failure.status === 400 && (failure.code === 'syncStateNotFound' || failure.code === 'resyncRequired')))) {
        throw new DeltaTokenExpired(url.includes('/groups/') ? 'groups' : 'users', { cause: err });
      }
      throw err;
    }
  }

  async getOptional(url: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.client.get<Record<string, unknown>>(url);
    } catch (err) {
      if (graphFailure(err)?.status === 404) return undefined;
      throw err;
    }
  }

  async getBytes(url: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
    try {
      const res = (await this.client.sdk.api(url).responseType(ResponseType.RAW).get()) as Response;
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`Graph answered ${res.status} for ${url}`);
      return { contentType: res.headers.get('content-type') ?? 'application/octet-stream', bytes: Buffer.from(await res.arrayBuffer()) };
    } catch (err) {
      if (graphFailure(err)?.status === 404) return undefined;
      throw err;
    }
  }

  async batch(urls: string[]): Promise<{ status: number; body: unknown }[]> {
    const body = (await this.client.sdk.api('/$batch').post({ requests: urls.map((url, i) => ({ id: String(i), method: 'GET', url })) })) as {
      responses: { id: string; status: number; body?: unknown }[];
    };
    // Graph may answer batch items in any order; match them by id.
    const byId = new Map(body.responses.map((r) => [r.id, r]));
    return urls.map((_, i) => {
      const r = byId.get(String(i));
      return { status: r?.status ?? 500, body: r?.body };
    });
  }
}
