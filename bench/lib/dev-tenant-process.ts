import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, own, stopChild, waitForOutput } from './children.js';

/** What `GET /_dev/tenants` says about one tenant (the part the benchmarks use). */
export interface DevTenantListing {
  id: string;
  domain: string;
  userCount: number;
  users: { id: string; userPrincipalName: string; displayName: string }[];
  groups: { id: string; displayName: string }[];
}

export interface DevTenantProcess {
  /** https://localhost:PORT */
  baseUrl: string;
  /** localhost:PORT, for msal's knownAuthorities. */
  host: string;
  /** `GET /_dev/tenants` (every user of every tenant: fine once per run). */
  tenants(): Promise<{ password: string; tenants: DevTenantListing[] }>;
  /** A control-API request under /_dev; throws on any status but the ones allowed. */
  control(method: string, pathUnderDev: string, body?: unknown, allow?: number[]): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts the built dev tenant (`node dist/dev-tenant.js --users N --groups G --seed S`) as a child
 * process on a free port, with the repository's env files and local CA, and waits for its banner.
 * Build first (`node scripts/build.mjs --server-only`; `npm run bench` does).
 */
export async function startDevTenantProcess(options: { root: string; users: number; groups: number; seed: number }): Promise<DevTenantProcess> {
  const port = await freePort();
  const child = own(
    spawn(process.execPath, [path.join(options.root, 'dist', 'dev-tenant.js'), '--users', String(options.users), '--groups', String(options.groups), '--seed', String(options.seed)], {
      cwd: options.root,
      env: { ...process.env, DEV_TENANT_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const [, baseUrl] = await waitForOutput(child, /Dev tenant: (https:\/\/\S+)\/_dev\/tenants/, 180_000);
  const control = async (method: string, pathUnderDev: string, body?: unknown, allow: number[] = []): Promise<Response> => {
    const res = await fetch(`${baseUrl}/_dev${pathUnderDev}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!res.ok && !allow.includes(res.status)) throw new Error(`${method} /_dev${pathUnderDev}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    baseUrl: baseUrl!,
    host: new URL(baseUrl!).host,
    tenants: async () => (await (await control('GET', '/tenants')).json()) as { password: string; tenants: DevTenantListing[] },
    control,
    stop: () => stopChild(child),
  };
}
