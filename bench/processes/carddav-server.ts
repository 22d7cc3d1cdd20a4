import http from 'node:http';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { carddavRoutes } from '../../src/carddav/routes.js';
import { loadPolicy, savePolicy } from '../../src/core/tenant-policy.js';
import { createDevices } from '../../src/devices/create-devices.js';
import type { OurServerCommands } from '../lib/carddav-ours.js';
import { expectSucceeded, openSyncProcess } from '../lib/sync-process.js';
import { serveCommands } from '../lib/worker-client.js';

/**
 * Our CardDAV server as the CardDAV and load benchmarks measure it, in a process of its own as
 * production runs it and as the reference servers run: the sync core as production wires it
 * (`createSyncCore` on a fresh SQLite store, `TenantAccess` for the grant), one full round from the
 * dev tenant, a policy that lets everyone see "All Employees", devices added through
 * `DevicesService.addDevice`, and `carddavRoutes` on an express app over plain HTTP on 127.0.0.1,
 * like the references. Driven by bench/lib/carddav-ours.ts over IPC; the benchmark's client work
 * (building requests, reading answers) stays in the benchmark's process.
 */
const { config, store, logger, core, access } = await openSyncProcess();
const devices = createDevices({ store, config });
const servers: http.Server[] = [];
let tenantId: string | undefined;

const round = async (): Promise<number> => {
  if (!tenantId) throw new Error('send "setup" first');
  const started = performance.now();
  expectSucceeded(await core.runner.run(tenantId, 'manual'));
  return performance.now() - started;
};

const serve = async (cardCacheBytes?: number): Promise<string> => {
  const app = express();
  app.use(carddavRoutes({ authenticator: devices.authenticator, db: store.db, cipher: core.cipher, publicUrl: 'http://127.0.0.1', logger, ...(cardCacheBytes === undefined ? {} : { cardCacheBytes }) }));
  const server = http.createServer({ keepAliveTimeout: 60_000 }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};

const connect = async (userId: string, name: string) => {
  const { credentials } = await devices.service.addDevice(tenantId!, userId, 'other', name);
  return {
    book: new URL(credentials.addressBookUrl).pathname.replace(/\/?$/, '/'),
    authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
  };
};

serveCommands<OurServerCommands>({
  setup: async ({ ssoToken, user, policyGroupId }) => {
    tenantId = user.tenantId;
    await access.graphToken(ssoToken, user);
    const t = performance.now();
    await round();
    const deps = { db: store.db, cipher: core.cipher };
    // The default exclusions (disabled accounts, guests, rooms, hidden) stay: hence a little under 10k cards.
    const { policy, version } = await loadPolicy(deps, tenantId);
    await savePolicy(deps, tenantId, { ...policy, groups: [policyGroupId], mappings: [] }, version, { id: 'bench', name: 'Benchmark' });
    const ingestMs = performance.now() - t;
    const device = await connect(user.userId, 'bench');
    return { ...device, baseUrl: await serve(), uncachedBaseUrl: await serve(0), ingestMs };
  },

  round: async () => ({ roundMs: await round() }),

  addDevices: async ({ count, userIds }) => {
    const added: { book: string; authorization: string }[] = [];
    for (let pass = 0; added.length < count && pass < 10; pass++) {
      for (const userId of userIds) {
        if (added.length >= count) break;
        try {
          added.push(await connect(userId, `load ${added.length}`));
        } catch {
          // Not in the policy's groups (guest, disabled, room) or at the per-user device limit: the next one.
        }
      }
    }
    if (added.length < count) throw new Error(`only ${added.length} of ${count} devices could be connected`);
    return added;
  },

  exit: async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await store.close();
  },
});
