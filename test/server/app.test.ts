import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { createApp } from '../../src/server/app.js';
import { openStore, type Store } from '../../src/store/store.js';
import { jsonBody, serveForTest } from '../helpers/http.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('HTTP app', () => {
  const tmp = tempDir();
  let store: Store;
  let closeServer: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    const tabDir = path.join(tmp.dir, 'tab');
    fs.mkdirSync(path.join(tabDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(tabDir, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(tabDir, 'assets', 'app-abc123.js'), 'console.log(1)');
    store = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'db.sqlite') });
    const app = createApp({ logger: createLogger('silent'), store, version: '9.9.9', tabDir });
    ({ base, close: closeServer } = await serveForTest(app));
  });
  afterAll(async () => {
    await closeServer();
    await store.close();
    tmp.remove();
  });

  it('GET /healthz answers JSON liveness without touching the store', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await jsonBody(res)).toMatchObject({ status: 'ok', version: '9.9.9' });
  });

  it('GET /readyz is 503 while migrations are pending, naming them', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = await jsonBody(res);
    expect(body.status).toBe('not-ready');
    expect(body.store).toEqual({ kind: 'sqlite', reachable: true });
    expect(body.migrations.pending.length).toBeGreaterThan(0);
  });

  it('GET /readyz is 200 once migrations are applied', async () => {
    await store.migrate();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await jsonBody(res)).toMatchObject({ status: 'ready', migrations: { pending: [] } });
  });

  it('echoes a plain x-request-id and replaces one that could inject into logs', async () => {
    const ok = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers.get('x-request-id')).toBe('abc-123');
    const bad = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'a b\tc' + 'x'.repeat(200) } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown API routes with a JSON error carrying the request id', async () => {
    const res = await fetch(`${base}/api/nothing-here`);
    expect(res.status).toBe(404);
    const body = await jsonBody(res);
    expect(body.error).toMatchObject({ code: 'NotFound', message: 'No route for GET /api/nothing-here' });
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('serves the tab for its routes (its sign-in pages under /auth included) with no-cache, and hashed assets as immutable', async () => {
    for (const p of ['/', '/tab', '/tab/devices', '/auth/callback', '/auth/end']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root">');
    }
    const asset = await fetch(`${base}/assets/app-abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const missing = await fetch(`${base}/assets/missing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain(tmp.dir); // no file system paths in errors
  });

  it('lets Teams frame the tab (CSP frame-ancestors, no X-Frame-Options) and sets nosniff', async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com/);
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('rejects malformed JSON bodies with 400 and a JSON error', async () => {
    const res = await fetch(`${base}/api/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(400);
    expect((await jsonBody(res)).error.code).toBe('BadRequest');
  });

  it('refuses JSON bodies over the limit with 413 without reading them whole', async () => {
    const res = await fetch(`${base}/api/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(200_000) }) });
    expect(res.status).toBe(413);
    expect((await jsonBody(res)).error.code).toBe('PayloadTooLarge');
  });

  it('GET /readyz is 503 when the store is unreachable, without leaking the driver error', async () => {
    await store.close();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = await jsonBody(res);
    expect(body.store).toEqual({ kind: 'sqlite', reachable: false, error: 'store unreachable' });
  });
});
