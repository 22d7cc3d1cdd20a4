import type { ApiError } from '../../../src/server/tab-api-types';

/** A failed API call, with the server's error code (e.g. NoAccess, ConsentRequired, InvalidPolicy). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: ApiError['error'] | undefined,
    /** From `WWW-Authenticate: … claims="…"` (base64), for a claims challenge. */
    readonly claims: string | undefined,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** Gets a bearer token for the API: Teams SSO in Teams, msal-browser elsewhere. */
export type TokenSource = () => Promise<string>;

/**
 * The tab's one way to call the server: adds the bearer token, sends and reads JSON, and turns error
 * bodies into ApiRequestError so pages can branch on `code`.
 */
export class ApiClient {
  constructor(private readonly token: TokenSource, private readonly baseUrl = '/api') {}

  get<T>(path: string, init: { signal?: AbortSignal } = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, init.signal);
  }

  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, init: { signal?: AbortSignal } = {}): Promise<T> {
    return this.request<T>(method, path, body, init.signal);
  }

  /** For images behind the API (contact photos): an object URL the caller must revoke. */
  async blobUrl(path: string, signal?: AbortSignal): Promise<string | undefined> {
    const res = await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${await this.token()}` }, signal });
    if (!res.ok) return undefined;
    return URL.createObjectURL(await res.blob());
  }

  private async request<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const error = (json as ApiError | undefined)?.error;
      const claims = res.headers.get('www-authenticate')?.match(/claims="([^"]+)"/)?.[1];
      throw new ApiRequestError(res.status, error?.code ?? `Http${res.status}`, error?.message ?? `${method} ${path} failed (${res.status})`, error, claims);
    }
    return json as T;
  }
}
