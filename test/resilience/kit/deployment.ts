import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PublicClientApplication } from '@azure/msal-node';
import { FieldCipher } from '../../../src/crypto/field-cipher.js';
import { projectRoot } from '../../../src/project.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, TEAMS_WEB_CLIENT_ID, TEST_APP, TEST_PASSWORD, type RunningDevTenant } from '../../helpers/dev-tenant.js';
import { createTestDatabase } from '../../helpers/postgres.js';
import { freePort, spawnProcess, type Spawned } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/temp-dir.js';
import type { DeviceLogin } from './product.js';

const SERVER_JS = path.join(projectRoot, 'dist', 'server.js');
const CLI_JS = path.join(projectRoot, 'dist', 'cli.js');

export interface ServerProcess {
  name: string;
  port: number;
  base: string;
  spawned: Spawned;
  /** Every start of this instance (a restart keeps name and port, so device URLs stay valid). */
  starts: number;
}

/**
 * The built product (dist/server.js, as `npm start` and production run it) as separate processes,
 * sharing one store (a SQLite file, or a PostgreSQL database for several instances) and one test dev
 * tenant in this process, which they reach over HTTPS trusting its CA through NODE_EXTRA_CA_CERTS.
 * TLS is off on the servers (as behind a TLS-terminating balancer), so vdirsyncer and the test's
 * clients talk plain HTTP on loopback. The test opens the same store to watch rounds and check it.
 */
export class Deployment {
  readonly servers = new Map<string, ServerProcess>();
  readonly key = randomBytes(32).toString('base64');
  readonly cipher: FieldCipher;
  store!: Store;
  private dropDb: (() => Promise<void>) | undefined;
  private storeEnv!: Record<string, string>;
  private caFile!: string;
  private readonly clients = new Map<string, PublicClientApplication>();

  private constructor(
    readonly dev: RunningDevTenant,
    readonly tmp: { dir: string; remove: () => void },
    readonly kind: 'sqlite' | 'postgres',
  ) {
    this.cipher = new FieldCipher([Buffer.from(this.key, 'base64')]);
  }

  static async create(options: { postgres?: boolean } = {}): Promise<Deployment> {
    // The spawned servers run what `npm run build` made; a missing build is a setup error, not a skip.
    if (!fs.existsSync(SERVER_JS)) throw new Error('dist/server.js is missing: run `npm run build` first (test:resilience does)');
    const dev = await startTestDevTenant();
    const d = new Deployment(dev, tempDir('resilience-deploy-'), options.postgres ? 'postgres' : 'sqlite');
    d.caFile = path.join(d.tmp.dir, 'dev-ca.pem');
    fs.writeFileSync(d.caFile, dev.caPem);
    if (options.postgres) {
      const db = await createTestDatabase();
      d.dropDb = db.drop;
      d.storeEnv = { STORE: 'postgres', DATABASE_URL: db.url };
      d.store = openStore({ kind: 'postgres', url: db.url });
    } else {
      const file = path.join(d.tmp.dir, 'switchboard.db');
      d.storeEnv = { STORE: 'sqlite', SQLITE_PATH: file };
      d.store = openStore({ kind: 'sqlite', path: file });
    }
    // The first server migrates too; doing it here lets the test read the store before any starts.
    await d.store.migrate();
    return d;
  }

  env(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: this.caFile, TEAMSFX_ENV: 'resilience',
      PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, TLS_MODE: 'off', DATA_DIR: path.join(this.tmp.dir, 'data'),
      SECRET_DATA_ENCRYPTION_KEY: this.key, AAD_APP_CLIENT_ID: TEST_APP.clientId, SECRET_AAD_APP_CLIENT_SECRET: TEST_APP.clientSecret,
      TAB_DOMAIN: 'localhost:53000', BOT_ID: '5b0a4d00-0000-4000-8000-000000000005',
      AAD_APP_OAUTH_AUTHORITY_HOST: this.dev.baseUrl, GRAPH_BASE_URL: `${this.dev.baseUrl}/v1.0`, LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '2000',
      ...this.storeEnv, ...extra,
    };
  }

  /** Starts (or restarts, on its old port) an instance and waits until it listens. */
  async start(name: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
    const old = this.servers.get(name);
    if (old && old.spawned.child.exitCode === null && old.spawned.child.signalCode === null) throw new Error(`${name} is still running`);
    const port = old?.port ?? (await freePort());
    const spawned = spawnProcess(process.execPath, [SERVER_JS], { cwd: this.tmp.dir, env: this.env(port, extra) });
    await spawned.waitFor(/"msg":"listening"/, 30_000);
    const server: ServerProcess = { name, port, base: `http://127.0.0.1:${port}`, spawned, starts: (old?.starts ?? 0) + 1 };
    this.servers.set(name, server);
    return server;
  }

  /** kill -9: no shutdown code runs, sockets and the PostgreSQL session just vanish. */
  async kill9(name: string): Promise<void> {
    const s = this.servers.get(name)!;
    s.spawned.child.kill('SIGKILL');
    await s.spawned.exited;
  }

  async ssoToken(upn: string, tenantId = CONTOSO_TENANT_ID): Promise<string> {
    let client = this.clients.get(tenantId);
    if (!client) this.clients.set(tenantId, (client = new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: this.dev.authority(tenantId), knownAuthorities: [this.dev.host] } })));
    return (await client.acquireTokenByUsernamePassword({ scopes: [`${TEST_APP.identifierUri}/access_as_user`], username: upn, password: TEST_PASSWORD }))!.accessToken;
  }

  /** `switchboard …` (dist/cli.js) on the same store and settings; its JSON output. */
  cli(args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: this.tmp.dir, env: this.env(1) });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) return reject(new Error(`switchboard ${args.join(' ')}: exit ${code}\n${err}${out}`));
        try {
          resolve(JSON.parse(out));
        } catch {
          reject(new Error(`switchboard ${args.join(' ')} printed no JSON:\n${out}`));
        }
      });
    });
  }

  /** A device through the administrators' CLI, as the README shows. */
  async addDevice(upn: string, tenantId = CONTOSO_TENANT_ID): Promise<DeviceLogin> {
    const userId = this.dev.registry.findTenant(tenantId)!.directory.getUser(upn)!.id;
    const out = (await this.cli(['devices', 'add', '--tenant', tenantId, '--user', userId])) as { deviceId: string; username: string; password: string };
    return { username: out.username, password: out.password, tenantId, userId, upn, book: `/dav/addressbooks/${out.deviceId}/contacts/` };
  }

  async control(method: string, p: string, body?: unknown): Promise<Response> {
    const res = await fetch(`${this.dev.baseUrl}/_dev${p}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`dev tenant ${method} ${p}: ${res.status} ${await res.text()}`);
    return res;
  }

  /** Polls `check` every `everyMs` until it returns something truthy; throws after `timeoutMs`. */
  async until<T>(what: string, check: () => Promise<T | undefined | false | null>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async stop(): Promise<void> {
    for (const s of this.servers.values()) {
      if (s.spawned.child.exitCode === null && s.spawned.child.signalCode === null) {
        s.spawned.child.kill('SIGKILL');
        await s.spawned.exited;
      }
    }
    await this.store?.close();
    await this.dropDb?.();
    await this.dev.stop();
    this.tmp.remove();
  }
}
