import { randomBytes } from 'node:crypto';
import { PublicClientApplication } from '@azure/msal-node';
import { parseConfig, type Config } from '../../src/config/config.js';
import { savePolicy } from '../../src/core/tenant-policy.js';
import { createDevices, type DevicesModule } from '../../src/devices/create-devices.js';
import { createLogger } from '../../src/log/logger.js';
import { createApp } from '../../src/server/app.js';
import { tabApiRouter } from '../../src/server/tab-api.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createSyncCore, type SyncCore } from '../../src/sync-core.js';
import { startTestDevTenant, TEAMS_WEB_CLIENT_ID, TEST_APP, TEST_PASSWORD, type RunningDevTenant } from './dev-tenant.js';
import { serveForTest } from './http.js';
import { checkAgainstOpenApi } from './openapi.js';
import { tempDir } from './temp-dir.js';

/** What tests do against a running tab API. */
export interface TabApiClient {
  /** An access token for the app as Teams SSO would issue it (msal-node, Teams web client id). */
  ssoToken(tenantId: string, username: string): Promise<string>;
  /**
   * Signs a user in as the tab does (a token, then GET /api/me): a tenant's first user creates the
   * tenant and starts its first sync. Returns the token.
   */
  signIn(tenantId: string, username: string): Promise<string>;
  /**
   * fetch against the server with an optional bearer token and JSON body; throws when the response is
   * not one docs/openapi.yaml documents (operation, status, content type, JSON schema).
   */
  call(method: string, path: string, token?: string, body?: unknown): Promise<Response>;
  /** Runs one sync round of the tenant now (after a round already under way) and waits for it; the tenant must exist (see signIn). */
  sync(tenantId: string): Promise<void>;
  /** Saves a policy as an administrator would (bypassing HTTP), and applies it. */
  setPolicy(tenantId: string, policy: unknown): Promise<void>;
}

export interface TabApiServer extends TabApiClient {
  dev: RunningDevTenant;
  config: Config;
  store: Store;
  core: SyncCore;
  devices: DevicesModule;
  base: string;
  stop(): Promise<void>;
}

export interface TabApiClientOptions {
  /** Answers to GET /api/me that signIn accepts (a user who must consent first gets 401). */
  signInStatuses?: number[];
  /** How long sync waits for a round already under way. */
  syncWaitMs?: number;
  /** Whether sync throws on any outcome but success, or only on failure (a 'busy' or skipped round passes). */
  syncMustSucceed?: boolean;
}

/** The TabApiClient of a server at `base`, with the dev tenant that signs users in and the sync core behind it. */
export function tabApiClient(deps: { dev: RunningDevTenant; base: string; core: SyncCore; store: Store }, options: TabApiClientOptions = {}): TabApiClient {
  const { dev, base, core, store } = deps;
  const signInStatuses = options.signInStatuses ?? [200, 401];
  const clients = new Map<string, PublicClientApplication>();
  const client: TabApiClient = {
    async ssoToken(tenantId, username) {
      let pca = clients.get(tenantId);
      if (!pca) clients.set(tenantId, (pca = new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: dev.authority(tenantId), knownAuthorities: [dev.host] } })));
      const result = await pca.acquireTokenByUsernamePassword({ scopes: [`${TEST_APP.identifierUri}/access_as_user`], username, password: TEST_PASSWORD });
      return result!.accessToken;
    },
    async signIn(tenantId, username) {
      const token = await client.ssoToken(tenantId, username);
      const res = await client.call('GET', '/api/me', token);
      if (!signInStatuses.includes(res.status)) throw new Error(`GET /api/me for ${username}: ${res.status} ${await res.text()}`);
      return token;
    },
    async call(method, path, token, body) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      // Every response a test sees through here must be one docs/openapi.yaml documents.
      const text = await res.clone().text();
      const type = res.headers.get('content-type');
      checkAgainstOpenApi(method, path, res.status, type, type?.includes('json') && text ? JSON.parse(text) : text);
      return res;
    },
    async sync(tenantId) {
      // A round may already be running (the first sign-in starts one): wait for it, then run ours.
      let outcome = await core.runner.run(tenantId, 'manual');
      for (let waited = 0; waited < (options.syncWaitMs ?? 10_000) && outcome.status === 'busy'; waited += 25) {
        await new Promise((r) => setTimeout(r, 25));
        outcome = await core.runner.run(tenantId, 'manual');
      }
      if (options.syncMustSucceed ? outcome.status !== 'succeeded' : outcome.status === 'failed') throw new Error(`sync of ${tenantId}: ${JSON.stringify(outcome)}`);
    },
    async setPolicy(tenantId, policy) {
      const current = await store.db.selectFrom('tenant_policies').select('version').where('tenant_id', '=', tenantId).executeTakeFirst();
      await savePolicy({ db: store.db, cipher: core.cipher }, tenantId, policy, current?.version ?? 0, { id: 'test', name: 'Test' });
    },
  };
  return client;
}

/**
 * The tab API as the server mounts it (token validation, /api/me, directory, devices, admin), on a
 * test dev tenant and a fresh SQLite store, served over http on a free loopback port.
 */
export async function startTabApiServer(options: { allowDenials?: boolean } = {}): Promise<TabApiServer> {
  const dev = await startTestDevTenant({ allowDenials: options.allowDenials });
  const tmp = tempDir();
  const config = parseConfig({
    SECRET_DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), AAD_APP_CLIENT_ID: TEST_APP.clientId, SECRET_AAD_APP_CLIENT_SECRET: TEST_APP.clientSecret,
    TAB_DOMAIN: 'localhost:53000', BOT_ID: '5b0a4d00-0000-4000-8000-000000000005', AAD_APP_OAUTH_AUTHORITY_HOST: dev.baseUrl, GRAPH_BASE_URL: `${dev.baseUrl}/v1.0`, SQLITE_PATH: `${tmp.dir}/tab.db`,
  });
  const logger = createLogger('silent');
  const store = openStore(config.store);
  await store.migrate();
  const core = createSyncCore(config, store, logger);
  const devices = createDevices({ store, config });
  const app = createApp({ logger, store, version: 't', apiRouters: [tabApiRouter({ config, store, syncCore: core, devices, logger })] });
  const { base, close } = await serveForTest(app);
  const server: TabApiServer = {
    dev, config, store, core, devices, base,
    ...tabApiClient({ dev, base, core, store }),
    async stop() {
      await close();
      await store.close();
      await dev.stop();
      tmp.remove();
    },
  };
  return server;
}
