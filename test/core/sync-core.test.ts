import { randomBytes } from 'node:crypto';
import { PublicClientApplication } from '@azure/msal-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConsentRequired } from '../../src/auth/auth-errors.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { DirectoryRepository } from '../../src/store/directory-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { SyncRepository } from '../../src/store/sync-repository.js';
import { createSyncCore, type SyncCore } from '../../src/sync-core.js';
import { TenantAccess } from '../../src/tenant-access.js';
import { jsonBody } from '../helpers/http.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, startTestDevTenant, TEAMS_WEB_CLIENT_ID, TEST_APP, TEST_PASSWORD, type RunningDevTenant } from '../helpers/dev-tenant.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The sync core as the server wires it (msal-node, the persistent token cache, the Graph SDK) against
 * the dev tenant: first sign-in creates the tenant and starts the first round; consent state; Graph
 * faults; a lapsed grant; and no permission beyond the declared ones.
 */
describe('sync core wired as in production', () => {
  let dev: RunningDevTenant;
  let store: Store;
  let core: SyncCore;
  let access: TenantAccess;
  const tmp = tempDir();
  const logger = createLogger('silent');

  const ssoToken = async (tenant: string, username: string) =>
    (await new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: dev.authority(tenant), knownAuthorities: [dev.host] } })
      .acquireTokenByUsernamePassword({ scopes: [`${TEST_APP.identifierUri}/access_as_user`], username, password: TEST_PASSWORD }))!.accessToken;
  const faults = (body: unknown) => fetch(`${dev.baseUrl}/_dev/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const lastRun = async (tenant: string) => (await new SyncRepository(store.db, core.cipher).recentRuns(tenant, 1))[0];

  const dataKey = randomBytes(32).toString('base64');
  const configFor = () =>
    parseConfig({
      SECRET_DATA_ENCRYPTION_KEY: dataKey,
      AAD_APP_CLIENT_ID: TEST_APP.clientId,
      SECRET_AAD_APP_CLIENT_SECRET: TEST_APP.clientSecret,
      AAD_APP_OAUTH_AUTHORITY_HOST: dev.baseUrl,
      GRAPH_BASE_URL: `${dev.baseUrl}/v1.0`,
      SQLITE_PATH: `${tmp.dir}/core.db`,
    });

  beforeAll(async () => {
    dev = await startTestDevTenant();
    store = openStore(configFor().store);
    await store.migrate();
    core = createSyncCore(configFor(), store, logger);
    access = new TenantAccess({ store, tokens: core.tokens, runner: core.runner, logger });
  });
  afterEach(async () => {
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'DELETE' });
  });
  afterAll(async () => {
    await store.close();
    await dev.stop();
    tmp.remove();
  });

  it("a tenant appears at its first user's sign-in, is marked consented, and its first round fills the directory", async () => {
    const token = await access.graphToken(await ssoToken(CONTOSO_TENANT_ID, 'ethan.walker@contoso.example'), { tenantId: CONTOSO_TENANT_ID, userId: 'x', username: 'ethan.walker@contoso.example' });
    expect(token.split('.')).toHaveLength(3);
    expect(await store.tenants.get(CONTOSO_TENANT_ID)).toMatchObject({ displayName: 'contoso.example', consentState: 'granted' });
    for (let i = 0; i < 100 && (await lastRun(CONTOSO_TENANT_ID))?.status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await lastRun(CONTOSO_TENANT_ID)).toMatchObject({ trigger: 'first-sign-in', mode: 'full', status: 'succeeded' });
    expect(await new DirectoryRepository(store.db, core.cipher).countUsers(CONTOSO_TENANT_ID)).toBe(36);
  });

  it('a tenant without consent is recorded as missing it, and the error says an administrator must grant it', async () => {
    const err = await access.graphToken(await ssoToken(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example'), { tenantId: FABRIKAM_TENANT_ID, userId: 'y', username: 'kofi.mensah@fabrikam.example' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsentRequired);
    expect((err as ConsentRequired).adminConsentRequired).toBe(true);
    expect((await store.tenants.get(FABRIKAM_TENANT_ID))?.consentState).toBe('missing');
  });

  it('a 429 storm with Retry-After is ridden out and counted in the run', async () => {
    await faults({ throttle: { next: 4, retryAfterSeconds: 0.05 } });
    expect(await core.runner.run(CONTOSO_TENANT_ID, 'manual')).toMatchObject({ status: 'succeeded' });
    const run = (await lastRun(CONTOSO_TENANT_ID))!;
    expect(run.throttled).toBeGreaterThanOrEqual(4);
    expect(run.graph_requests).toBeGreaterThanOrEqual(run.throttled + 2);
  });

  it('503s and connection resets are retried and the round completes', async () => {
    await faults({ unavailable: { next: 2 }, reset: { next: 2 } });
    expect(await core.runner.run(CONTOSO_TENANT_ID, 'manual')).toMatchObject({ status: 'succeeded' });
  });

  it('background sync runs on the stored grant after a restart: a new msal client, the same store', async () => {
    const restarted = createSyncCore(configFor(), store, logger);
    expect(await restarted.runner.run(CONTOSO_TENANT_ID, 'schedule')).toMatchObject({ status: 'succeeded' });
  });

  it('when the grant lapses (the account is disabled) the round fails and says why', async () => {
    const ethan = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('ethan.walker@contoso.example')!;
    await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${ethan.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountEnabled: false }) });
    const outcome = await core.runner.run(CONTOSO_TENANT_ID, 'manual');
    expect(outcome.status).toBe('failed');
    expect((await lastRun(CONTOSO_TENANT_ID))!.error).toMatch(/grant|sign in/i);
  });

  it('when the tenant withdraws consent, the next round purges its directory, feeds and tokens but keeps its configuration', async () => {
    // A fresh grant first (the previous test disabled the holder).
    const ethan = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('ethan.walker@contoso.example')!;
    await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${ethan.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountEnabled: true }) });
    await access.graphToken(await ssoToken(CONTOSO_TENANT_ID, 'grace.kim@contoso.example'), { tenantId: CONTOSO_TENANT_ID, userId: 'g', username: 'grace.kim@contoso.example' });
    expect((await core.runner.run(CONTOSO_TENANT_ID, 'manual')).status).toBe('succeeded');
    const runsBefore = (await new SyncRepository(store.db, core.cipher).recentRuns(CONTOSO_TENANT_ID)).length;

    await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/consent/${TEST_APP.clientId}`, { method: 'DELETE' });
    expect((await core.runner.run(CONTOSO_TENANT_ID, 'manual')).status).toBe('failed');
    for (const table of ['directory_users', 'directory_groups', 'group_members', 'token_cache', 'sync_state', 'audiences'] as const) {
      const n = await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', CONTOSO_TENANT_ID).executeTakeFirstOrThrow();
      expect(Number(n.n), table).toBe(0);
    }
    expect((await store.tenants.get(CONTOSO_TENANT_ID))?.consentState).toBe('missing');
    expect((await new SyncRepository(store.db, core.cipher).recentRuns(CONTOSO_TENANT_ID)).length).toBe(runsBefore + 1);
    await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/consent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: TEST_APP.clientId }) });
  });

  it('the dev Graph refused nothing: the declared permissions were enough for everything above', async () => {
    expect((await jsonBody(await fetch(`${dev.baseUrl}/_dev/denials`))).value).toEqual([]);
  });
});
