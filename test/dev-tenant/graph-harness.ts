import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AuthenticationHandler, Client, RetryHandler, RetryHandlerOptions, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { DenialLog, denialRoutes } from '../../src/dev-tenant/denials.js';
import { DevDirectory, type DevUser } from '../../src/dev-tenant/directory.js';
import { FaultSwitches, faultRoutes } from '../../src/dev-tenant/faults.js';
import { graphRouter } from '../../src/dev-tenant/graph/graph-router.js';
import { ConsentGrants, DevRegistry, type DevApp, type DevTenant } from '../../src/dev-tenant/registry.js';
import { SigningKeys } from '../../src/dev-tenant/signing-keys.js';
import { TokenService } from '../../src/dev-tenant/tokens.js';

/**
 * A dev Graph on plain HTTP at 127.0.0.1, driven by the official Graph SDK.
 *
 * The SDK only sends the bearer token to https hosts it knows (Graph's, or `customHosts`), and only
 * parses absolute https nextLinks; so the router advertises https://graph.test in its links, the SDK
 * is told graph.test is a Graph host, and the last middleware of the SDK's chain (the transport)
 * sends each request to the local server instead. Everything above the transport — authentication,
 * retries, paging — is the SDK's own code.
 */

export const GRAPH_HOST = 'graph.test';
export const GRAPH_ORIGIN = `https://${GRAPH_HOST}`;
export const GRAPH_ROOT = `${GRAPH_ORIGIN}/v1.0`;
export const TENANT_ID = '7e57a000-0000-4000-8000-000000000001';

export interface Clock {
  now: () => number;
  advance: (ms: number) => void;
}

/** A clock tests move by hand; starts at the real time so tokens look ordinary. */
export function manualClock(start = Date.now()): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface GraphHarness {
  local: string;
  registry: DevRegistry;
  tenant: DevTenant;
  directory: DevDirectory;
  client: DevApp;
  tokens: TokenService;
  keys: SigningKeys;
  faults: FaultSwitches;
  denials: DenialLog;
  /** A Graph token for `user` (delegated, `scopes`) or for the app alone (`roles`). */
  token(o: { user?: DevUser; scopes?: string[]; roles?: string[] }): Promise<string>;
  /** The official SDK, wired to this server. */
  sdk(token: string, opts?: { maxRetries?: number }): Client;
  /** Plain fetch, for statuses and headers the SDK hides. Paths are relative to /v1.0 or absolute graph.test URLs. */
  fetch(path: string, init?: { token?: string; method?: string; headers?: Record<string, string>; body?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startGraph(options: { now?: () => number; random?: () => number; keys?: SigningKeys } = {}): Promise<GraphHarness> {
  const now = options.now ?? Date.now;
  const keys = options.keys ?? (await SigningKeys.create());
  const tokens = new TokenService(keys, 'https://login.test', now);
  const registry = new DevRegistry('dev-password');
  const directory = new DevDirectory(TENANT_ID, now);
  const tenant: DevTenant = {
    id: TENANT_ID,
    domain: 'contoso.test',
    displayName: 'Contoso (test)',
    directory,
    consents: new ConsentGrants(),
    appRoleAssignments: new Map(),
    claimsChallengeUsers: new Set(),
  };
  registry.addTenant(tenant);
  const client: DevApp = {
    clientId: '5b0a7d00-0000-4000-8000-00000000c1d0',
    displayName: 'Switchboard (test)',
    clientSecret: 'secret',
    homeTenantId: TENANT_ID,
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: [],
    exposedScopes: [],
    preAuthorizedClientIds: [],
    appRoles: [],
    redirectUris: { spa: [], web: [], publicClient: [] },
    requiredScopes: [],
  };
  registry.addApp(client);
  const faults = new FaultSwitches({ now, ...(options.random ? { random: options.random } : {}) });
  const denials = new DenialLog(now);

  const app = express();
  app.use('/_dev/faults', faultRoutes(faults));
  app.use('/_dev/denials', denialRoutes(denials));
  app.use('/v1.0', graphRouter({ registry, tokens, faults, denials, baseUrl: GRAPH_ORIGIN, now }));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const toLocal = (path: string) => (path.startsWith(GRAPH_ORIGIN) ? local + path.slice(GRAPH_ORIGIN.length) : path.startsWith('/_dev') ? local + path : `${local}/v1.0${path}`);

  return {
    local,
    registry,
    tenant,
    directory,
    client,
    tokens,
    keys,
    faults,
    denials,
    token: (o) => tokens.graphAccessToken({ tenant, client, ...(o.user ? { user: o.user } : {}), scopes: o.scopes ?? [], roles: o.roles ?? [] }),
    sdk: (token, opts = {}) =>
      Client.initWithMiddleware({
        baseUrl: `${GRAPH_ORIGIN}/`,
        defaultVersion: 'v1.0',
        customHosts: new Set([GRAPH_HOST]),
        middleware: [new AuthenticationHandler({ getAccessToken: async () => token }), new RetryHandler(new RetryHandlerOptions(0, opts.maxRetries ?? 3)), new LocalTransport(local)],
      }),
    fetch: (path, init = {}) =>
      fetch(toLocal(path), {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The SDK's final middleware: sends the request to the local server rather than to graph.test. */
class LocalTransport implements Middleware {
  constructor(private readonly local: string) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    context.response = await fetch(url.replace(GRAPH_ORIGIN, this.local), context.options as RequestInit);
  }
}

/** Adds a plain member user with the given display name; UPNs come from the name. */
export function addUser(dir: DevDirectory, displayName: string, extra: Partial<DevUser> = {}): DevUser {
  const local = displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.');
  return dir.addUser({ displayName, userPrincipalName: `${local}@contoso.test`, mail: `${local}@contoso.test`, ...extra });
}

/** Parses a JSON body for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(res: Response): Promise<any> {
  return res.json();
}
