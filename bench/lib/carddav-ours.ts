import http from 'node:http';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { carddavRoutes } from '../../src/carddav/routes.js';
import { loadConfig } from '../../src/config/load-config.js';
import { loadPolicy, savePolicy } from '../../src/core/tenant-policy.js';
import { createDevices } from '../../src/devices/create-devices.js';
import { createLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/store.js';
import { createSyncCore } from '../../src/sync-core.js';
import { TenantAccess } from '../../src/tenant-access.js';
import { signInSyntheticUser } from './bench-environment.js';
import type { DevTenantListing, DevTenantProcess } from './dev-tenant-process.js';


/** Our CardDAV server for the benchmark: plain HTTP on loopback, in this process. */
export interface OurServer {
  baseUrl: string;
  /** Path of the device's address book, with a trailing slash. */
  book: string;
  authorization: string;
  /** Who sees the book and what the policy is, for the report. */
  description: string;
  ingestMs: number;
  /** The same book and device on a second router with the card cache off (CARDDAV_CACHE_MB=0): every card rendered on every request. */
  uncached: { baseUrl: string; book: string; authorization: string };
  /**
   * Connects `count` more devices, spread over the users who receive contacts (each sees the same
   * book, since the policy gives everyone one audience); returns each one's book and credentials.
   */
  addDevices(count: number): Promise<{ book: string; authorization: string }[]>;
  /** Changes one user in the dev tenant and runs a sync round; returns the round's time. */
  changeOneUser(n: number): Promise<{ roundMs: number }>;
  stop(): Promise<void>;
}

/**
 * The sync core as production wires it (`createSyncCore` on a fresh SQLite store, `TenantAccess` for
 * the grant), one full round from the dev tenant, a policy that lets one user see everyone in
 * "All Employees", a device for that user (`DevicesService.addDevice`), and `carddavRoutes` on an
 * express app served over plain HTTP on 127.0.0.1, like the reference servers.
 */
export async function startOurServer(options: { dev: DevTenantProcess; tenant: DevTenantListing; password: string; identifierUri: string; sqlitePath: string; log: (m: string) => void }): Promise<OurServer> {
  const { dev, tenant } = options;
  const signedIn = await signInSyntheticUser(dev, tenant, options.password, options.identifierUri);
  options.log(`signed in as ${signedIn.user.username}`);
  const { config } = loadConfig({
    generateSecrets: false,
    environment: {
      ...process.env,
      DEV_TENANT_PORT: new URL(dev.baseUrl).port,
      AAD_APP_OAUTH_AUTHORITY_HOST: dev.baseUrl,
      GRAPH_BASE_URL: `${dev.baseUrl}/v1.0`,
      STORE: 'sqlite',
      SQLITE_PATH: options.sqlitePath,
      LOG_LEVEL: 'warn',
    },
  });
  if (config.store.kind !== 'sqlite') throw new Error('expected the SQLite store');
  const store = openStore(config.store);
  await store.migrate();
  const logger = createLogger('warn');
  const core = createSyncCore(config, store, logger);
  const access = new TenantAccess({ store, tokens: core.tokens, runner: { run: async () => ({ status: 'busy' }) }, logger });
  await access.graphToken(signedIn.ssoToken, signedIn.user);
  const tenantId = tenant.id;
  const round = async (): Promise<number> => {
    const started = performance.now();
    const outcome = await core.runner.run(tenantId, 'manual');
    if (outcome.status !== 'succeeded') throw new Error(`sync round ${outcome.status}`);
    return performance.now() - started;
  };
  const t = performance.now();
  await round();
  const deps = { db: store.db, cipher: core.cipher };
  const allEmployees = tenant.groups.find((g) => g.displayName === 'All Employees');
  if (!allEmployees) throw new Error('the synthetic tenant has no "All Employees" group');
  // The default exclusions (disabled accounts, guests, rooms, hidden) stay: hence a little under 10k cards.
  const { policy, version } = await loadPolicy(deps, tenantId);
  await savePolicy(deps, tenantId, { ...policy, groups: [allEmployees.id], mappings: [] }, version, { id: 'bench', name: 'Benchmark' });
  const ingestMs = performance.now() - t;
  options.log(`synced and policy saved in ${Math.round(ingestMs)} ms`);

  const devices = createDevices({ store, config });
  const { credentials } = await devices.service.addDevice(tenantId, signedIn.user.userId, 'other', 'bench');
  const serve = async (cardCacheBytes?: number) => {
    const app = express();
    app.use(carddavRoutes({ authenticator: devices.authenticator, db: store.db, cipher: core.cipher, publicUrl: 'http://127.0.0.1', logger, ...(cardCacheBytes === undefined ? {} : { cardCacheBytes }) }));
    const server = http.createServer({ keepAliveTimeout: 60_000 }, app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
  };
  const { server, baseUrl } = await serve();
  const uncached = await serve(0);
  const book = new URL(credentials.addressBookUrl).pathname.replace(/\/?$/, '/');
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  // The user whose title changes: someone in the book, not the device's owner.
  const target = tenant.users.find((u, i) => i > 10 && u.id !== signedIn.user.userId)!;
  return {
    baseUrl,
    book,
    authorization,
    uncached: { baseUrl: uncached.baseUrl, book, authorization },
    description: `device of ${signedIn.user.username}; policy groups: All Employees (${allEmployees.id})`,
    ingestMs,
    addDevices: async (count) => {
      const added: { book: string; authorization: string }[] = [];
      for (let round = 0; added.length < count && round < 10; round++) {
        for (const user of tenant.users) {
          if (added.length >= count) break;
          try {
            const { credentials: c } = await devices.service.addDevice(tenantId, user.id, 'other', `load ${added.length}`);
            added.push({ book: new URL(c.addressBookUrl).pathname.replace(/\/?$/, '/'), authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` });
          } catch {
            // Not in the policy's groups (guest, disabled, room) or at the per-user device limit: the next one.
          }
        }
      }
      if (added.length < count) throw new Error(`only ${added.length} of ${count} devices could be connected`);
      return added;
    },
    changeOneUser: async (n) => {
      await dev.control('PATCH', `/tenants/${tenantId}/users/${target.id}`, { jobTitle: `CardDAV Bench Title ${n}` });
      return { roundMs: await round() };
    },
    stop: async () => {
      for (const s of [server, uncached.server]) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
      await store.close();
    },
  };
}

