import { GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient, parseGraphBaseUrl, type GraphClientOptions } from '../../src/graph/graph-client.js';
import { GraphUnreachable, graphFailure } from '../../src/graph/graph-errors.js';
import { GraphRequestStats } from '../../src/graph/request-stats.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, TEST_APP, type RunningDevTenant } from '../helpers/dev-tenant.js';

interface PagedUsers {
  value: { id: string; displayName: string }[];
  '@odata.nextLink'?: string;
}

/**
 * Switchboard's Graph client (official SDK + our middleware) against the dev tenant's Graph over
 * HTTPS, with its fault switches for throttling, outages and dropped connections.
 */
describe('Graph client', () => {
  let dev: RunningDevTenant;
  let token: string;
  let basicToken: string;

  const faults = (settings: unknown) => fetch(`${dev.baseUrl}/_dev/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  const denials = async (): Promise<{ path: string; required: string[][] }[]> => ((await (await fetch(`${dev.baseUrl}/_dev/denials`)).json()) as { value: { path: string; required: string[][] }[] }).value;
  const graph = (overrides: Partial<GraphClientOptions> = {}) => createGraphClient({ baseUrl: `${dev.baseUrl}/v1.0`, getToken: async () => token, ...overrides });

  beforeAll(async () => {
    dev = await startTestDevTenant();
    const tenant = dev.registry.findTenant(CONTOSO_TENANT_ID)!;
    const user = tenant.directory.getUser('amelia.hart@contoso.example')!;
    const client = dev.registry.apps.get(TEST_APP.clientId)!;
    token = await dev.tokens.graphAccessToken({ tenant, user, client, scopes: ['User.Read.All', 'GroupMember.Read.All', 'User.Read'], roles: [] });
    basicToken = await dev.tokens.graphAccessToken({ tenant, user, client, scopes: ['User.Read'], roles: [] });
  });
  afterEach(async () => {
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'DELETE' });
  });
  afterAll(async () => {
    // Apart from the deliberate 403 (cleared there), nothing here needed a permission it lacked.
    expect(await denials()).toEqual([]);
    await dev.stop();
  });

  it('calls the dev Graph with the token attached (customHosts carries the dev host) and counts the request', async () => {
    let asked = 0;
    const client = graph({ getToken: async () => (asked++, token) });
    const users = (await client.sdk.api('/users').top(5).get()) as PagedUsers;
    expect(users.value).toHaveLength(5);
    expect(asked).toBe(1);
    expect(client.stats).toMatchObject({ requests: 1, throttled: 0, serverErrors: 0, networkErrors: 0 });
  });

  it('follows an absolute nextLink through the same client', async () => {
    const client = graph();
    const first = await client.get<PagedUsers>('/users?$top=5&$select=id,displayName');
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${dev.baseUrl}/v1.0/users\\?`));
    const second = await client.get<PagedUsers>(first['@odata.nextLink']!);
    expect(second.value).toHaveLength(5);
    expect(second.value.map((u) => u.id)).not.toContain(first.value[0]!.id);
    expect(client.stats.requests).toBe(2);
  });

  it('refuses to send the token to a link on another origin', async () => {
    const client = graph();
    await expect(client.get('https://evil.example/v1.0/users')).rejects.toThrow(/Refusing to send a Graph token/);
    expect(client.stats.requests).toBe(0);
  });

  it('retries 429 after the (fractional) Retry-After and counts the throttled responses', async () => {
    await faults({ throttle: { next: 2, retryAfterSeconds: 0.2 } });
    const client = graph();
    const started = Date.now();
    const users = await client.get<PagedUsers>('/users?$top=5');
    expect(users.value).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(client.stats).toMatchObject({ requests: 3, throttled: 2 });
  });

  it('adds to counters the caller passes in (one set per sync run)', async () => {
    const run = new GraphRequestStats();
    await faults({ throttle: { next: 1, retryAfterSeconds: 0.05 } });
    await graph({ stats: run }).get('/users?$top=1');
    await graph({ stats: run }).get('/users?$top=1');
    expect(run).toMatchObject({ requests: 3, throttled: 1 });
  });

  it('retries a 503 Service Unavailable', async () => {
    await faults({ unavailable: { next: 1, retryAfterSeconds: 0.1 } });
    const client = graph();
    expect((await client.get<PagedUsers>('/users?$top=2')).value).toHaveLength(2);
    expect(client.stats).toMatchObject({ requests: 2, serverErrors: 1 });
  });

  it('retries a connection reset, which the SDK alone does not', async () => {
    await faults({ reset: { next: 1 } });
    const client = graph();
    expect((await client.get<PagedUsers>('/users?$top=2')).value).toHaveLength(2);
    expect(client.stats).toMatchObject({ requests: 2, networkErrors: 1 });
  });

  it('retries a reset $batch POST (read-only batches), but not another POST', async () => {
    await faults({ reset: { next: 1 } });
    const client = graph();
    const batch = (await client.sdk.api('/$batch').post({ requests: [{ id: '1', method: 'GET', url: '/users?$top=1' }] })) as { responses: { status: number }[] };
    expect(batch.responses.map((r) => r.status)).toEqual([200]);
    expect(client.stats).toMatchObject({ requests: 2, networkErrors: 1 });

    await faults({ reset: { next: 1 } });
    const amelia = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('amelia.hart@contoso.example')!;
    const other = graph();
    await expect(other.sdk.api(`/users/${amelia.id}/checkMemberGroups`).post({ groupIds: [] })).rejects.toThrow();
    expect(other.stats).toMatchObject({ requests: 1, networkErrors: 1 });
  });

  it('gives up on network errors after the bounded retries, with GraphUnreachable', async () => {
    await faults({ reset: { next: 10 } });
    const client = graph({ retry: { networkRetries: 2, networkBaseDelayMs: 10 } });
    const err = await client.get('/users?$top=2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnreachable);
    expect((err as GraphUnreachable).attempts).toBe(3);
    expect((err as Error).message).toMatch(/ECONNRESET|other side closed|socket/i);
    expect(client.stats).toMatchObject({ requests: 3, networkErrors: 3 });
  });

  it('stops network retries when the time budget is spent', async () => {
    await faults({ reset: { next: 10 } });
    const client = graph({ retry: { networkRetries: 10, networkBaseDelayMs: 100, networkBudgetMs: 250 } });
    const started = Date.now();
    await expect(client.get('/users?$top=2')).rejects.toBeInstanceOf(GraphUnreachable);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(client.stats.requests).toBeLessThanOrEqual(3);
  });

  it('does not retry a permanent 403 and surfaces Graph\'s error code', async () => {
    const client = graph({ getToken: async () => basicToken });
    const err = await client.get('/users?$top=5').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(graphFailure(err)).toMatchObject({ status: 403, code: 'Authorization_RequestDenied' });
    expect(client.stats.requests).toBe(1);
    const logged = await denials();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.path).toMatch(/^\/v1\.0\/users/);
    await fetch(`${dev.baseUrl}/_dev/denials`, { method: 'DELETE' });
  });
});

describe('Graph client configuration', () => {
  it('splits the base URL into origin and version as the SDK wants', () => {
    expect(parseGraphBaseUrl('https://graph.microsoft.com/v1.0')).toEqual({ origin: 'https://graph.microsoft.com', version: 'v1.0', hostname: 'graph.microsoft.com' });
    expect(parseGraphBaseUrl('https://localhost:53100/beta')).toEqual({ origin: 'https://localhost:53100', version: 'beta', hostname: 'localhost' });
    expect(() => parseGraphBaseUrl('http://localhost:53100/v1.0')).toThrow(/https/);
    expect(() => parseGraphBaseUrl('https://localhost:53100/')).toThrow(/origin and a version/);
    expect(() => parseGraphBaseUrl('https://localhost:53100/graph/v1.0')).toThrow(/origin and a version/);
  });

  it('sends the token to Microsoft Graph itself through the injected fetch', async () => {
    const seen: { url: string; authorization: string | null }[] = [];
    const fetchImpl = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      seen.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return new Response(JSON.stringify({ id: 'me' }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const client = createGraphClient({ baseUrl: 'https://graph.microsoft.com/v1.0', getToken: async () => 'T0KEN', fetchImpl });
    expect(await client.get('/me')).toEqual({ id: 'me' });
    expect(seen).toEqual([{ url: 'https://graph.microsoft.com/v1.0/me', authorization: 'Bearer T0KEN' }]);
  });
});
