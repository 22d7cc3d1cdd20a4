import { ApiRequestError } from '../api/client';

/**
 * GET /api/tab-config, as src/server/tab-config-routes.ts answers it. Repeated here rather than
 * imported because that module pulls in the server's configuration (Node types) with it.
 */
export interface TabConfig {
  clientId: string;
  authority: string;
  knownAuthorities: string[];
  apiScope: string;
}

let cached: Promise<TabConfig> | undefined;

/** GET /api/tab-config (public): the app registration msal-browser signs in with. Fetched once per page. */
export function fetchTabConfig(): Promise<TabConfig> {
  cached ??= (async () => {
    const res = await fetch('/api/tab-config', { headers: { accept: 'application/json' } });
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiRequestError(res.status, error?.code ?? `Http${res.status}`, error?.message ?? `The server answered ${res.status} for its sign-in settings.`, undefined, undefined);
    }
    return body as TabConfig;
  })();
  cached.catch(() => (cached = undefined)); // a failure may be retried
  return cached;
}

/** The identity platform's origin, e.g. https://login.microsoftonline.com (the authority without its tenant). */
export function authorityHost(config: TabConfig): string {
  return new URL(config.authority).origin;
}
