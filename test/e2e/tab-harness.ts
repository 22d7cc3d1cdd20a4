import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PublicClientApplication } from '@azure/msal-node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Agent, fetch, type Response } from 'undici';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from '../../src/dev-tenant/sample-organisation.js';
import { projectRoot } from '../../src/project.js';
import { trustExtraCertificateAuthority } from '../../src/tls/outbound-trust.js';
import { launchChromium } from '../helpers/browser.js';
import { freePort, spawnProcess, type Spawned } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The built product for end-to-end tests of the tab: dist/server.js started as `npm start` starts it
 * (the committed env/.env.local, the embedded dev tenant, SQLite, its own dev CA) in a temporary
 * folder on free ports, plus the setup an administrator would do (first sign-in, sync, policy) and
 * Chromium with the dev tenant's sign-in page. Browser-mode, Teams-mode and admin tests share it.
 */

export { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID };

/** The sample organisation's groups. */
export { SAMPLE_GROUPS as CONTOSO_GROUPS } from '../helpers/dev-tenant.js';

/** Teams web's client id: pre-authorized for Switchboard's access_as_user, as Teams SSO tokens are. */
export const TEAMS_WEB_CLIENT_ID = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

/** Every bounded wait in these tests; generous for a shared two-core CI machine. */
export const WAIT_MS = 20_000;

export interface PolicyInput {
  version: 1;
  groups: string[];
  mappings: { audience: string; visible: string[] }[];
  exclude: { disabledAccounts: boolean; guests: boolean; roomsAndSharedMailboxes: boolean; hiddenFromAddressLists: boolean };
  hiddenFields: string[];
}

/** A policy: these groups receive the members of the groups they are in; the usual exclusions. */
export function policyFor(groups: string[], extra: Partial<PolicyInput> = {}): PolicyInput {
  return {
    version: 1,
    groups,
    mappings: [],
    exclude: { disabledAccounts: true, guests: true, roomsAndSharedMailboxes: true, hiddenFromAddressLists: true },
    hiddenFields: [],
    ...extra,
  };
}

export interface Switchboard {
  /** https://localhost:PORT, the tab and its API. */
  base: string;
  /** https://localhost:PORT of the embedded dev tenant (Entra ID + Graph stand-in). */
  devTenant: string;
  /** The dev users' password, as the server was given it (DEV_TENANT_PASSWORD). */
  password: string;
  /** The server's working folder (env/, .data/). */
  dir: string;
  server: Spawned;
  /** Trusts the instance's dev CA, for fetches from the test process. */
  dispatcher: Agent;
  /** Runs the built `switchboard` CLI against this instance's database; returns its JSON output. */
  cli(args: string[]): Promise<unknown>;
  /** An API token for a dev user, as Teams SSO issues it (Teams web client, access_as_user). */
  apiToken(username: string, tenantId?: string): Promise<string>;
  /** Calls the instance's API with a bearer token (and a JSON body). */
  api(method: string, apiPath: string, token?: string, body?: unknown): Promise<Response>;
  /** A user's first sign-in (GET /api/me), which creates the tenant and starts its first sync; resolves once a round has succeeded. */
  firstSignInAndSync(username: string, tenantId?: string): Promise<void>;
  /** Saves a policy as an administrator would, with the CLI (validated, audited, applied at once). */
  setPolicy(policy: PolicyInput, tenantId?: string): Promise<void>;
  stop(): Promise<void>;
}

const exec = promisify(execFile);

/** Builds server and tab when dist/ lacks them (`npm test` builds before running; a lone vitest run may not have). */
export function ensureBuilt(): void {
  const needed = [path.join(projectRoot, 'dist', 'server.js'), path.join(projectRoot, 'dist', 'cli.js'), path.join(projectRoot, 'dist', 'tab', 'index.html')];
  if (needed.every((f) => fs.existsSync(f))) return;
  execFileSync(process.execPath, [path.join(projectRoot, 'scripts', 'build.mjs')], { cwd: projectRoot, stdio: 'inherit', timeout: 300_000 });
}

/** Starts the built server with the committed local environment in an empty folder, on free ports. */
export async function startSwitchboard(options: { env?: Record<string, string> } = {}): Promise<Switchboard> {
  ensureBuilt();
  const tmp = tempDir('switchboard-tab-');
  fs.mkdirSync(path.join(tmp.dir, 'env'));
  fs.copyFileSync(path.join(projectRoot, 'env', '.env.local'), path.join(tmp.dir, 'env', '.env.local'));
  const [port, devPort] = [await freePort(), await freePort()];
  const base = `https://localhost:${port}`;
  const devTenant = `https://localhost:${devPort}`;
  // The committed file's password unless the environment overrides it, as the server itself reads it.
  const password = process.env.DEV_TENANT_PASSWORD ?? readEnvFile(path.join(projectRoot, 'env', '.env.local')).DEV_TENANT_PASSWORD;
  if (!password) throw new Error('env/.env.local has no DEV_TENANT_PASSWORD');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: String(port),
    PUBLIC_URL: base,
    DEV_TENANT_PORT: String(devPort),
    DEV_TENANT_PASSWORD: password,
    AAD_APP_OAUTH_AUTHORITY_HOST: devTenant,
    GRAPH_BASE_URL: `${devTenant}/v1.0`,
    // A test's own run, not the schedule, decides when the directory syncs.
    SYNC_INTERVAL_MINUTES: '1440',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const server = spawnProcess(process.execPath, [path.join(projectRoot, 'dist', 'server.js')], { cwd: tmp.dir, env });
  try {
    await server.waitFor(/Dev tenant \(stand-in for Entra ID \+ Graph\): https:\/\/localhost:\d+\/_dev\/tenants/, 30_000);
  } catch (err) {
    server.child.kill('SIGKILL');
    tmp.remove();
    throw err;
  }
  const caPem = fs.readFileSync(path.join(tmp.dir, '.data', 'tls', 'ca.crt'), 'utf8');
  // msal-node (apiToken) and fetch in this process must trust the instance's CA.
  trustExtraCertificateAuthority(caPem);
  const dispatcher = new Agent({ connect: { ca: caPem } });
  const localEnv = readEnvFile(path.join(projectRoot, 'env', '.env.local'));
  const apiScope = `api://${localEnv.TAB_DOMAIN!}/botid-${localEnv.BOT_ID!}/access_as_user`;
  const clients = new Map<string, PublicClientApplication>();

  const sb: Switchboard = {
    base, devTenant, password, dir: tmp.dir, server, dispatcher,
    async cli(args) {
      const { stdout } = await exec(process.execPath, [path.join(projectRoot, 'dist', 'cli.js'), ...args], { cwd: tmp.dir, env, timeout: 60_000 });
      return JSON.parse(stdout) as unknown;
    },
    async apiToken(username, tenantId = tenantOf(username)) {
      let client = clients.get(tenantId);
      if (!client) {
        client = new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: `${devTenant}/${tenantId}`, knownAuthorities: [new URL(devTenant).host] } });
        clients.set(tenantId, client);
      }
      const request = { scopes: [apiScope], username, password };
      let result;
      try {
        result = await client.acquireTokenByUsernamePassword(request);
      } catch (err) {
        // msal-node reports a slow or refused metadata fetch (a busy CI machine) as
        // endpoints_resolution_error; one more try, then the error stands.
        if ((err as { errorCode?: string }).errorCode !== 'endpoints_resolution_error') throw err;
        result = await client.acquireTokenByUsernamePassword(request);
      }
      if (!result) throw new Error(`no token for ${username}`);
      return result.accessToken;
    },
    api(method, apiPath, token, body) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${base}/api${apiPath}`, { method, headers, dispatcher, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    },
    async firstSignInAndSync(username, tenantId = tenantOf(username)) {
      const me = await sb.api('GET', '/me', await sb.apiToken(username, tenantId));
      if (me.status !== 200) throw new Error(`GET /api/me for ${username} answered ${me.status}: ${await me.text()}`);
      // The first sign-in starts the tenant's first round in the background: wait for it to succeed.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const runs = (await sb.cli(['sync', 'status', '--tenant', tenantId])) as { status: string; error?: string | null }[];
        if (runs.some((r) => r.status === 'succeeded')) return;
        const failed = runs.find((r) => r.status === 'failed');
        if (failed) throw new Error(`the first sync of ${tenantId} failed: ${failed.error ?? 'no error recorded'}`);
        if (Date.now() > deadline) throw new Error(`the first sync of ${tenantId} did not finish within 60 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async setPolicy(policy, tenantId = CONTOSO_TENANT_ID) {
      const file = path.join(tmp.dir, `policy-${Date.now()}.json`);
      fs.writeFileSync(file, JSON.stringify(policy));
      await sb.cli(['policy', 'set', '--tenant', tenantId, '--file', file]);
    },
    async stop() {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        const exited = await Promise.race([server.exited, new Promise((r) => setTimeout(r, 10_000, 'timeout'))]);
        if (exited === 'timeout') server.child.kill('SIGKILL');
      }
      await dispatcher.close();
      tmp.remove();
    },
  };
  return sb;
}

function tenantOf(username: string): string {
  const domain = username.split('@')[1];
  if (domain === 'contoso.example') return CONTOSO_TENANT_ID;
  if (domain === 'fabrikam.example') return FABRIKAM_TENANT_ID;
  throw new Error(`which tenant is ${username} in? Pass its id.`);
}

function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export interface TabBrowser {
  browser: Browser;
  /** A fresh context (own cookies and storage: one signed-in person) that accepts the dev CA. */
  newContext(options?: { colorScheme?: 'light' | 'dark' }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless. The instance's dev CA is not in its trust store, hence ignoreHTTPSErrors. */
export async function openBrowser(): Promise<TabBrowser> {
  const { browser, close } = await launchChromium();
  return {
    browser,
    newContext: (options = {}) => browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, ...options }),
    close,
  };
}

/**
 * Opens the tab in a plain browser and signs in through the dev tenant's sign-in page as `username`
 * (typing the password), accepting the consent page if Entra shows one. Resolves once back on the tab.
 */
export async function signInWithBrowser(page: Page, sb: Switchboard, username: string, tabPath = '/'): Promise<void> {
  await page.goto(`${sb.base}${tabPath}`);
  await page.waitForURL((url) => url.origin === sb.devTenant, { timeout: WAIT_MS });
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(sb.password);
  // No multi-factor prompt to approve: nobody here is under a conditional-access challenge.
  await page.locator('#submit').click();
  // Either straight back to the tab, or Entra's consent page first (a tenant that has not consented).
  const next = page.locator('#accept, [data-testid="signed-in-user"], [role="alert"]').first();
  await next.waitFor({ timeout: WAIT_MS });
  const refused = page.locator('[role="alert"]');
  if (new URL(page.url()).origin === sb.devTenant && (await refused.isVisible())) throw new Error(`sign-in as ${username} failed: ${await refused.textContent()}`);
  if (await page.locator('#accept').isVisible()) await page.locator('#accept').click();
  await page.getByTestId('signed-in-user').waitFor({ timeout: WAIT_MS });
}
