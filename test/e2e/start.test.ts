import fs from 'node:fs';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project.js';
import { freePort, spawnProcess, type Spawned } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The built product as `npm start` runs it (dist/server.js, built by `npm test` beforehand), started
 * in an empty folder as on a fresh clone: it must create its secrets, CA and database, serve the tab
 * over HTTPS, and stop cleanly on SIGTERM.
 */
describe('the built server, first start in an empty folder', () => {
  const tmp = tempDir();
  let server: Spawned;
  let base: string;
  let dispatcher: Agent;

  beforeAll(async () => {
    const port = await freePort();
    base = `https://localhost:${port}`;
    server = spawnProcess(process.execPath, [path.join(projectRoot, 'dist', 'server.js')], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'info' },
    });
    await server.waitFor(/Tab: +https:\/\/localhost:\d+\//);
    dispatcher = new Agent({ connect: { ca: fs.readFileSync(path.join(tmp.dir, '.data', 'tls', 'ca.crt')) } });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await dispatcher?.close();
    tmp.remove();
  });

  it('generated its secret, CA, certificate and SQLite database on first start', () => {
    expect(fs.readFileSync(path.join(tmp.dir, 'env', '.env.local.user'), 'utf8')).toMatch(/^SECRET_DATA_ENCRYPTION_KEY=.{44}$/m);
    for (const f of ['tls/ca.crt', 'tls/server.crt', 'tls/server.key', 'switchboard.db']) {
      expect(fs.existsSync(path.join(tmp.dir, '.data', f)), f).toBe(true);
    }
  });

  it('answers /healthz and /readyz over HTTPS trusted through the local CA', async () => {
    const health = await fetch(`${base}/healthz`, { dispatcher });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const ready = await fetch(`${base}/readyz`, { dispatcher });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: { kind: 'sqlite', reachable: true }, migrations: { pending: [] } });
  });

  it('serves the built tab page and its script', async () => {
    const page = await fetch(`${base}/`, { dispatcher });
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`, { dispatcher });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('writes structured JSON logs with request ids', async () => {
    await fetch(`${base}/api/unknown`, { dispatcher, headers: { 'x-request-id': 'e2e-log-check' } });
    await server.waitFor(/"id":"e2e-log-check"/);
    const line = server.output().split('\n').find((l) => l.includes('"id":"e2e-log-check"'))!;
    expect(JSON.parse(line)).toMatchObject({ service: 'switchboard', res: { statusCode: 404 } });
  });

  it('shuts down cleanly on SIGTERM, well inside the grace period when nothing is in flight', async () => {
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('"msg":"stopped"');
    expect(Date.now() - started).toBeLessThan(8_000); // SHUTDOWN_GRACE_MS defaults to 10 s
  });
});

describe('the built server with the committed local environment (env/.env.local)', () => {
  const tmp = tempDir();
  let server: Spawned;
  let devTenant: string;
  let dispatcher: Agent;

  beforeAll(async () => {
    fs.mkdirSync(path.join(tmp.dir, 'env'));
    fs.copyFileSync(path.join(projectRoot, 'env', '.env.local'), path.join(tmp.dir, 'env', '.env.local'));
    const [port, devPort] = [await freePort(), await freePort()];
    devTenant = `https://localhost:${devPort}`;
    server = spawnProcess(process.execPath, [path.join(projectRoot, 'dist', 'server.js')], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, PORT: String(port), PUBLIC_URL: `https://localhost:${port}`, DEV_TENANT_PORT: String(devPort), AAD_APP_OAUTH_AUTHORITY_HOST: devTenant, GRAPH_BASE_URL: `${devTenant}/v1.0` },
    });
    await server.waitFor(/Dev tenant \(stand-in for Entra ID \+ Graph\): https:\/\/localhost:\d+\/_dev\/tenants/);
    dispatcher = new Agent({ connect: { ca: fs.readFileSync(path.join(tmp.dir, '.data', 'tls', 'ca.crt')) } });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await dispatcher?.close();
    tmp.remove();
  });

  it('runs the dev tenant with the sample organisation and Switchboard registered under the env file\'s client id', async () => {
    const body = (await (await fetch(`${devTenant}/_dev/tenants?users=false`, { dispatcher })).json()) as {
      tenants: { domain: string; apps: { clientId: string; consent: { adminConsented: boolean } }[] }[];
    };
    const clientId = fs.readFileSync(path.join(projectRoot, 'env', '.env.local'), 'utf8').match(/^AAD_APP_CLIENT_ID=(.+)$/m)![1];
    expect(body.tenants.map((t) => t.domain)).toEqual(['contoso.example', 'fabrikam.example']);
    expect(body.tenants[0]!.apps[0]).toMatchObject({ clientId, consent: { adminConsented: true } });
    expect(body.tenants[1]!.apps[0]!.consent.adminConsented).toBe(false);
  });

  it('generated the app\'s client secret locally, and the dev tenant accepts it', async () => {
    const secret = fs.readFileSync(path.join(tmp.dir, 'env', '.env.local.user'), 'utf8').match(/^SECRET_AAD_APP_CLIENT_SECRET=(.+)$/m)![1]!;
    const clientId = fs.readFileSync(path.join(projectRoot, 'env', '.env.local'), 'utf8').match(/^AAD_APP_CLIENT_ID=(.+)$/m)![1]!;
    const res = await fetch(`${devTenant}/contoso.example/oauth2/v2.0/token`, {
      dispatcher, method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }),
    });
    expect(res.status).toBe(200);
  });

  it('stops both listeners on SIGTERM', async () => {
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    await expect(fetch(`${devTenant}/`, { dispatcher })).rejects.toThrow();
  });
});

describe('a bad configuration', () => {
  it('stops at start-up naming the bad setting, with exit code 78', async () => {
    const tmp = tempDir();
    try {
      const child = spawnProcess(process.execPath, [path.join(projectRoot, 'dist', 'server.js')], {
        cwd: tmp.dir,
        env: { PATH: process.env.PATH, PORT: 'not-a-port', STORE: 'postgres' },
      });
      expect((await child.exited).code).toBe(78);
      expect(child.output()).toMatch(/PORT: .*\(got "not-a-port"\)/);
      expect(child.output()).toMatch(/DATABASE_URL: is required when STORE=postgres/);
    } finally {
      tmp.remove();
    }
  });
});
