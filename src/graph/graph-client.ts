import { AuthenticationHandler, Client, RedirectHandler, RedirectHandlerOptions, RetryHandler, RetryHandlerOptions, TelemetryHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { CountingHandler, GraphRequestStats } from './request-stats.js';
import { DEFAULT_RETRY_POLICY, NetworkRetryHandler, type RetryPolicy } from './retry.js';

export interface GraphClientOptions {
  /** `config.entra.graphBaseUrl`: https://graph.microsoft.com/v1.0, or the dev tenant's …/v1.0. */
  baseUrl: string;
  /** Called for every request (retries reuse the attempt's token); DelegatedTokens.forRequest/forSync. */
  getToken: () => Promise<string>;
  /** Transport; defaults to the global fetch at call time. */
  fetchImpl?: typeof fetch;
  /** Counters to add to; a fresh set otherwise (read it from the returned client). */
  stats?: GraphRequestStats;
  retry?: Partial<RetryPolicy>;
}

export interface GraphClient {
  /** The official SDK client: `graph.sdk.api('/users').select('id').top(5).get()`. */
  readonly sdk: Client;
  readonly stats: GraphRequestStats;
  /**
   * GETs JSON from a path under the base URL (`/users/delta?$select=id`) or from a link Graph handed
   * out (`@odata.nextLink`, `@odata.deltaLink`), through the same middleware: token, retries, counts.
   * Links to any other origin are refused, so a token never follows a link off Graph.
   */
  get<T = unknown>(pathOrLink: string, headers?: Record<string, string>): Promise<T>;
}

/** Hosts the SDK treats as Graph (its GRAPH_URLS): it attaches the bearer token only to these and `customHosts`. */
const GRAPH_HOSTS = new Set(['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'graph.microsoft.de', 'microsoftgraph.chinacloudapi.cn', 'canary.graph.microsoft.com']);

/** Splits `https://host[:port]/v1.0` into what the SDK wants: `baseUrl` (origin + "/") and `defaultVersion`. */
export function parseGraphBaseUrl(baseUrl: string): { origin: string; version: string; hostname: string } {
  const url = new URL(baseUrl);
  // The SDK sends tokens only over https, and reads the first path segment of links as the version.
  if (url.protocol !== 'https:') throw new Error(`GRAPH_BASE_URL must be https (got ${baseUrl})`);
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length !== 1 || url.search || url.hash) throw new Error(`GRAPH_BASE_URL must be an origin and a version, like https://graph.microsoft.com/v1.0 (got ${baseUrl})`);
  return { origin: url.origin, version: segments[0]!, hostname: url.hostname.toLowerCase() };
}

/**
 * Switchboard's Microsoft Graph client: the official SDK with this middleware chain —
 * authentication, the SDK's status retries (429/503/504, Retry-After), redirects, telemetry, network
 * retries, counting, transport.
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const base = parseGraphBaseUrl(options.baseUrl);
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const stats = options.stats ?? new GraphRequestStats();
  const middleware: Middleware[] = [
    new AuthenticationHandler({ getAccessToken: options.getToken }),
    new RetryHandler(new RetryHandlerOptions(policy.delaySeconds, policy.maxRetries)),
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    new NetworkRetryHandler(policy),
    new CountingHandler(stats),
    new FetchTransport(options.fetchImpl),
  ];
  const sdk = Client.initWithMiddleware({
    baseUrl: `${base.origin}/`,
    defaultVersion: base.version,
    // Matched by hostname, port dropped: without this the dev tenant would get no token at all.
    ...(GRAPH_HOSTS.has(base.hostname) ? {} : { customHosts: new Set([base.hostname]) }),
    middleware,
  });
  return {
    sdk,
    stats,
    get: async <T>(pathOrLink: string, headers: Record<string, string> = {}): Promise<T> => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrLink) && new URL(pathOrLink).origin !== base.origin) {
        throw new Error(`Refusing to send a Graph token to ${new URL(pathOrLink).origin}: links must stay on ${base.origin}`);
      }
      return (await sdk.api(pathOrLink).headers(headers).get()) as T;
    },
  };
}

/** The last middleware: sends the request with the given fetch (the SDK's own uses the global one). */
class FetchTransport implements Middleware {
  constructor(private readonly fetchImpl: typeof fetch | undefined) {}

  async execute(context: Context): Promise<void> {
    const fetchImpl = this.fetchImpl ?? fetch;
    context.response = await fetchImpl(context.request, context.options as RequestInit);
  }
}
