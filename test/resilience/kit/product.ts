import { randomBytes } from 'node:crypto';
import { carddavRoutes } from '../../../src/carddav/routes.js';
import { parseConfig, type Config } from '../../../src/config/config.js';
import { createDevices, type DevicesModule } from '../../../src/devices/create-devices.js';
import type { AuthenticatorLimits } from '../../../src/devices/device-authenticator.js';
import { onboardingRoutes } from '../../../src/devices/onboarding-routes.js';
import { createLogger } from '../../../src/log/logger.js';
import { createApp } from '../../../src/server/app.js';
import { listen, type RunningServer } from '../../../src/server/http-server.js';
import { tabApiRouter } from '../../../src/server/tab-api.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { createSyncCore, type SyncCore } from '../../../src/sync-core.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, startTestDevTenant, TEST_APP, type RunningDevTenant } from '../../helpers/dev-tenant.js';
import { createTestDatabase } from '../../helpers/postgres.js';
import { tabApiClient, type TabApiClient } from '../../helpers/tab-api-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

export { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, TEST_APP };

/** Group ids of the sample organisation (src/dev-tenant/sample-organisation.ts). */
export { SAMPLE_GROUPS as GROUPS } from '../../helpers/dev-tenant.js';

export interface DeviceLogin {
  username: string;
  password: string;
  tenantId: string;
  userId: string;
  upn: string;
  /** `/dav/addressbooks/{id}/contacts/` */
  book: string;
}

/** A clock the device authenticator reads, so rate-limit windows can pass without waiting minutes. */
export class TestClock {
  offsetMs = 0;
  now = (): number => Date.now() + this.offsetMs;
}

export interface Product extends TabApiClient {
  dev: RunningDevTenant;
  config: Config;
  store: Store;
  core: SyncCore;
  devices: DevicesModule;
  clock: TestClock;
  base: string;
  /** A CardDAV request with the device's Basic credentials (or the given Authorization header). */
  dav(method: string, path: string, options?: { device?: DeviceLogin; authorization?: string; body?: string | Buffer; depth?: string; headers?: Record<string, string> }): Promise<Response>;
  /** A device with credentials for a user (the administrators' path: no enrollment link). */
  addDevice(tenantId: string, upn: string): Promise<DeviceLogin>;
  userId(tenantId: string, upn: string): string;
  /** Changes the dev tenant's directory through its control API. */
  control(method: string, path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The whole product in this process, composed as src/main.ts composes it (tab API with token
 * validation, devices with the real authenticator and its rate limits, the onboarding pages, CardDAV)
 * minus the bot, on a fresh test dev tenant and a fresh SQLite or PostgreSQL store, over http on a
 * free loopback port. The scheduler is not started: tests run rounds when they mean to.
 */
export async function startProduct(options: { postgres?: boolean; limits?: Partial<AuthenticatorLimits>; allowDenials?: boolean; logLevel?: string } = {}): Promise<Product> {
  const dev = await startTestDevTenant({ allowDenials: options.allowDenials });
  const tmp = tempDir('resilience-');
  const db = options.postgres ? await createTestDatabase() : undefined;
  const config = parseConfig({
    SECRET_DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), AAD_APP_CLIENT_ID: TEST_APP.clientId, SECRET_AAD_APP_CLIENT_SECRET: TEST_APP.clientSecret,
    TAB_DOMAIN: 'localhost:53000', BOT_ID: '5b0a4d00-0000-4000-8000-000000000005', AAD_APP_OAUTH_AUTHORITY_HOST: dev.baseUrl, GRAPH_BASE_URL: `${dev.baseUrl}/v1.0`,
    ...(db ? { STORE: 'postgres', DATABASE_URL: db.url } : { SQLITE_PATH: `${tmp.dir}/product.db` }),
  });
  const logger = createLogger((options.logLevel ?? 'silent') as Parameters<typeof createLogger>[0]);
  const store = openStore(config.store);
  await store.migrate();
  const core = createSyncCore(config, store, logger);
  const clock = new TestClock();
  const devices = createDevices({ store, config, now: clock.now, ...(options.limits ? { limits: options.limits } : {}) });
  const app = createApp({
    logger, store, version: 'resilience',
    apiRouters: [tabApiRouter({ config, store, syncCore: core, devices, logger })],
    routers: [
      { path: '/enroll', router: onboardingRoutes({ devices: devices.service }) },
      { path: '/', router: carddavRoutes({ authenticator: devices.authenticator, db: store.db, cipher: core.cipher, publicUrl: config.publicUrl, logger }) },
    ],
  });
  const server: RunningServer = await listen(app, { host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  const truth = (tenantId: string) => dev.registry.findTenant(tenantId)!.directory;

  const product: Product = {
    dev, config, store, core, devices, clock, base,
    // Resilience tests want every sign-in and round to work, and rounds under load may take a while.
    ...tabApiClient({ dev, base, core, store }, { signInStatuses: [200], syncWaitMs: 60_000, syncMustSucceed: true }),
    dav(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.device) headers.authorization = `Basic ${Buffer.from(`${o.device.username}:${o.device.password}`).toString('base64')}`;
      if (o.authorization !== undefined) headers.authorization = o.authorization;
      if (o.depth !== undefined) headers.depth = o.depth;
      if (o.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/xml; charset=utf-8';
      return fetch(`${base}${path}`, { method, headers, body: o.body, redirect: 'manual' });
    },
    async addDevice(tenantId, upn) {
      const userId = product.userId(tenantId, upn);
      const { credentials } = await devices.service.addDevice(tenantId, userId);
      return { username: credentials.username, password: credentials.password, tenantId, userId, upn, book: `/dav/addressbooks/${credentials.deviceId}/contacts/` };
    },
    userId(tenantId, upn) {
      const user = truth(tenantId).getUser(upn);
      if (!user) throw new Error(`no user ${upn} in ${tenantId}`);
      return user.id;
    },
    async control(method, path, body) {
      const res = await fetch(`${dev.baseUrl}/_dev${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) throw new Error(`dev tenant ${method} ${path}: ${res.status} ${await res.text()}`);
      return res;
    },
    async stop() {
      await server.close(100);
      await store.close();
      await db?.drop();
      await dev.stop();
      tmp.remove();
    },
  };
  return product;
}

/** Every name, mail, UPN and id of a tenant's people in the dev tenant: what must never leak across. */
export function identifyingStrings(dev: RunningDevTenant, tenantId: string): string[] {
  const out: string[] = [];
  for (const u of dev.registry.findTenant(tenantId)!.directory.listUsers()) {
    out.push(u.id, u.displayName, u.userPrincipalName);
    if (u.mail) out.push(u.mail);
    for (const p of u.businessPhones) out.push(p);
    if (u.mobilePhone) out.push(u.mobilePhone);
  }
  return out.filter((s) => s.length >= 4);
}

/**
 * The strings of `secrets` found in `text` (case-insensitive): the test fails when this is not empty.
 * Secrets the request itself carried (`echo`: its path and body) do not count — an answer may name the
 * href or group id it was asked about ("does not exist") without telling anything new.
 */
export function leaked(text: string, secrets: readonly string[], echo = ''): string[] {
  const lower = text.toLowerCase();
  const asked = echo.toLowerCase();
  return secrets.filter((s) => lower.includes(s.toLowerCase()) && !asked.includes(s.toLowerCase()));
}
