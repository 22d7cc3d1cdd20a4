import { randomBytes } from 'node:crypto';
import { PublicClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { SigningKeys } from '../../src/dev-tenant/signing-keys.js';
import { TokenService } from '../../src/dev-tenant/tokens.js';
import { createDevices } from '../../src/devices/create-devices.js';
import { createLogger } from '../../src/log/logger.js';
import { createApp } from '../../src/server/app.js';
import { tabApiRouter } from '../../src/server/tab-api.js';
import { openStore, type Store } from '../../src/store/store.js';
import { SyncRepository } from '../../src/store/sync-repository.js';
import { createSyncCore, type SyncCore } from '../../src/sync-core.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, startTestDevTenant, TEAMS_WEB_CLIENT_ID, TEST_APP, TEST_PASSWORD, type RunningDevTenant } from '../helpers/dev-tenant.js';
import { jsonBody, serveForTest } from '../helpers/http.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The tab API as the server mounts it, with tokens from the dev tenant as Teams SSO issues them. */
describe('tab API: token validation, /api/me, devices', () => {
  let dev: RunningDevTenant;
  let store: Store;
  let core: SyncCore;
  let closeServer: () => Promise<void>;
  let base: string;
  const tmp = tempDir();

  const ssoToken = async (tenant: string, username: string) =>
    (await new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: dev.authority(tenant), knownAuthorities: [dev.host] } })
      .acquireTokenByUsernamePassword({ scopes: [`${TEST_APP.identifierUri}/access_as_user`], username, password: TEST_PASSWORD }))!.accessToken;
  const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    dev = await startTestDevTenant();
    const config = parseConfig({
      SECRET_DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), AAD_APP_CLIENT_ID: TEST_APP.clientId, SECRET_AAD_APP_CLIENT_SECRET: TEST_APP.clientSecret,
      AAD_APP_OAUTH_AUTHORITY_HOST: dev.baseUrl, GRAPH_BASE_URL: `${dev.baseUrl}/v1.0`, SQLITE_PATH: `${tmp.dir}/tab.db`,
    });
    const logger = createLogger('silent');
    store = openStore(config.store);
    await store.migrate();
    core = createSyncCore(config, store, logger);
    const devices = createDevices({ store, config });
    const app = createApp({ logger, store, version: 't', apiRouters: [tabApiRouter({ config, store, syncCore: core, devices, logger })] });
    ({ base, close: closeServer } = await serveForTest(app));
  });
  afterAll(async () => {
    await closeServer();
    await store.close();
    await dev.stop();
    tmp.remove();
  });

  it('refuses every route without a token, with a Bearer challenge and no data', async () => {
    for (const path of ['/api/me', '/api/devices']) {
      const res = await get(path);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect((await jsonBody(res)).error.code).toBe('Unauthorized');
    }
  });

  it('refuses a Graph token (wrong audience, v1) and a token signed by another key', async () => {
    expect((await get('/api/me', await dev.syncGraphToken())).status).toBe(401);
    const tenant = dev.registry.findTenant(CONTOSO_TENANT_ID)!;
    const forged = await new TokenService(await SigningKeys.create(), dev.baseUrl).appAccessToken({
      tenant, user: tenant.directory.getUser('ethan.walker@contoso.example')!, client: dev.registry.apps.get(TEAMS_WEB_CLIENT_ID)!, resource: dev.registry.apps.get(TEST_APP.clientId)!, scopes: ['access_as_user'], roles: ['Switchboard.Admin'],
    });
    expect((await get('/api/me', forged)).status).toBe(401);
  });

  it('GET /api/me: the first user of a tenant creates it and starts its first sync; says who, admin or not, and access', async () => {
    const res = await get('/api/me', await ssoToken(CONTOSO_TENANT_ID, 'ethan.walker@contoso.example'));
    expect(res.status).toBe(200);
    const me = await jsonBody(res);
    expect(me).toMatchObject({ user: { name: 'Ethan Walker', username: 'ethan.walker@contoso.example' }, tenant: { id: CONTOSO_TENANT_ID, consent: 'granted' }, isAdmin: true, receivesContacts: false });
    for (let i = 0; i < 100 && (await new SyncRepository(store.db, core.cipher).recentRuns(CONTOSO_TENANT_ID, 1))[0]?.status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await new SyncRepository(store.db, core.cipher).recentRuns(CONTOSO_TENANT_ID, 1))[0]).toMatchObject({ trigger: 'first-sign-in', status: 'succeeded' });
    const plain = await jsonBody(await get('/api/me', await ssoToken(CONTOSO_TENANT_ID, 'grace.kim@contoso.example')));
    expect(plain.isAdmin).toBe(false);
  });

  it('GET /api/me in a tenant without consent: 401 ConsentRequired, saying an administrator must grant it', async () => {
    const res = await get('/api/me', await ssoToken(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example'));
    expect(res.status).toBe(401);
    const body = await jsonBody(res);
    expect(body.error.code).toBe('ConsentRequired');
    expect(body.error.message).toMatch(/administrator/);
  });

  it('a user who receives no contacts gets no enrollment link, with the reason', async () => {
    const res = await fetch(`${base}/api/devices`, { method: 'POST', headers: { authorization: `Bearer ${await ssoToken(CONTOSO_TENANT_ID, 'grace.kim@contoso.example')}` } });
    expect(res.status).toBe(403);
    expect((await jsonBody(res)).error.code).toBe('NoAccess');
  });
});
