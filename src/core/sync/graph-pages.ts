/**
 * The port through which the sync core reads Microsoft Graph: one GET of a relative or absolute URL
 * (delta nextLinks and deltaLinks are absolute and opaque). The adapter behind it handles tokens,
 * throttling and retries; the core only sees pages and the errors below.
 */
export interface GraphPages {
  get(url: string): Promise<GraphPage>;
  /** Bytes of a media resource (a photo's $value), or undefined on 404. */
  getBytes(url: string): Promise<{ contentType: string; bytes: Buffer } | undefined>;
  /** A resource's JSON, or undefined on 404 (photo metadata when the user has none). */
  getOptional(url: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Up to 20 GETs in one JSON batch (https://learn.microsoft.com/graph/json-batching); each answer
   * has its own status. Throttled items come back as 429 for the caller to retry.
   */
  batch(urls: string[]): Promise<{ status: number; body: unknown }[]>;
}

export interface GraphPage {
  value: Record<string, unknown>[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * Graph no longer holds the state behind a delta token (400 syncStateNotFound after 7 days, or 410
 * Gone with a Location to restart): the round must start again from scratch.
 * https://learn.microsoft.com/graph/delta-query-overview#synchronization-reset
 */
export class DeltaTokenExpired extends Error {
  constructor(
    readonly kind: string,
    options?: { cause?: unknown },
  ) {
    super(`Graph no longer knows the ${kind} delta token; starting a full round`, options);
    this.name = 'DeltaTokenExpired';
  }
}
