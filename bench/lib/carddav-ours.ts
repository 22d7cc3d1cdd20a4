import path from 'node:path';
import type { SignedInUser } from '../../src/tenant-access.js';
import { devTenantStoreEnvironment, signInSyntheticUser } from './bench-environment.js';
import type { DevTenantListing, DevTenantProcess } from './dev-tenant-process.js';
import { WorkerClient } from './worker-client.js';

/** A device's book path (with a trailing slash) and its Basic credentials. */
export interface DeviceBook {
  book: string;
  authorization: string;
}

/** What the benchmark asks of our server's process (bench/processes/carddav-server.ts). */
export interface OurServerCommands {
  /** Grant, first sync round, policy (everyone sees `policyGroupId`), one device for `user`, then serve. */
  setup: {
    args: { ssoToken: string; user: SignedInUser; policyGroupId: string };
    result: DeviceBook & { baseUrl: string; uncachedBaseUrl: string; ingestMs: number };
  };
  /** One sync round from the dev tenant. */
  round: { args: Record<string, never>; result: { roundMs: number } };
  /** `count` more devices, spread over `userIds` (those outside the policy are skipped). */
  addDevices: { args: { count: number; userIds: string[] }; result: DeviceBook[] };
}

/** Our CardDAV server for the benchmark: plain HTTP on loopback, in its own process. */
export interface OurServer extends DeviceBook {
  baseUrl: string;
  /** Who sees the book and what the policy is, for the report. */
  description: string;
  ingestMs: number;
  /** The same book and device on a second router with the card cache off (CARDDAV_CACHE_MB=0): every card rendered on every request. */
  uncached: DeviceBook & { baseUrl: string };
  /**
   * Connects `count` more devices, spread over the users who receive contacts (each sees the same
   * book, since the policy gives everyone one audience); returns each one's book and credentials.
   */
  addDevices(count: number): Promise<DeviceBook[]>;
  /** Changes one user in the dev tenant and runs a sync round; returns the round's time. */
  changeOneUser(n: number): Promise<{ roundMs: number }>;
  stop(): Promise<void>;
}

/**
 * Starts our server's process (dist/bench/processes/carddav-server.js, built by `npm run bench`) on
 * a fresh SQLite store, signs a synthetic user in, and has the process sync the tenant, save a policy
 * that lets everyone see "All Employees" and connect a device for that user. With `cpuProfDir`, the
 * server writes a CPU profile there when it stops.
 */
export async function startOurServer(options: { root: string; dev: DevTenantProcess; tenant: DevTenantListing; password: string; identifierUri: string; sqlitePath: string; cpuProfDir?: string; log: (m: string) => void }): Promise<OurServer> {
  const { dev, tenant } = options;
  const signedIn = await signInSyntheticUser(dev, tenant, options.password, options.identifierUri);
  options.log(`signed in as ${signedIn.user.username}`);
  const allEmployees = tenant.groups.find((g) => g.displayName === 'All Employees');
  if (!allEmployees) throw new Error('the synthetic tenant has no "All Employees" group');
  const server = await WorkerClient.start<OurServerCommands>({
    name: 'our CardDAV server',
    script: path.join(options.root, 'dist', 'bench', 'processes', 'carddav-server.js'),
    env: { ...process.env, ...devTenantStoreEnvironment(dev, options.sqlitePath) },
    execArgv: options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [],
  });
  try {
    const setup = await server.call('setup', { ...signedIn, policyGroupId: allEmployees.id });
    options.log(`synced and policy saved in ${Math.round(setup.ingestMs)} ms`);
    // The user whose title changes: someone in the book, not the device's owner.
    const target = tenant.users.find((u, i) => i > 10 && u.id !== signedIn.user.userId)!;
    return {
      baseUrl: setup.baseUrl,
      book: setup.book,
      authorization: setup.authorization,
      uncached: { baseUrl: setup.uncachedBaseUrl, book: setup.book, authorization: setup.authorization },
      description: `device of ${signedIn.user.username}; policy groups: All Employees (${allEmployees.id})`,
      ingestMs: setup.ingestMs,
      addDevices: (count) => server.call('addDevices', { count, userIds: tenant.users.map((u) => u.id) }),
      changeOneUser: async (n) => {
        await dev.control('PATCH', `/tenants/${tenant.id}/users/${target.id}`, { jobTitle: `CardDAV Bench Title ${n}` });
        return server.call('round', {});
      },
      stop: () => server.stop(),
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
