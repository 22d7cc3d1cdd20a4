import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project.js';
import { ensureDevCertificates } from '../../src/tls/dev-certificates.js';
import { launchChromium } from '../helpers/browser.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, TEST_APP, type RunningDevTenant } from '../helpers/dev-tenant.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * msal-browser, the library the tab uses outside Teams, signing in against the dev tenant in a real
 * Chromium: redirect to the sign-in page, pick a user, come back with a code, redeem it cross-origin
 * with PKCE, then renew silently with the SPA refresh token.
 */
const PAGE_SCRIPT = `
import { PublicClientApplication } from '@azure/msal-browser';
const cfg = window.MSAL_CONFIG;
const pca = new PublicClientApplication({
  auth: { clientId: cfg.clientId, authority: cfg.authority, knownAuthorities: [cfg.host], redirectUri: cfg.redirectUri },
  cache: { cacheLocation: 'sessionStorage' },
});
window.msalReady = pca.initialize().then(() => pca.handleRedirectPromise()).then((result) => {
  if (result) document.getElementById('out').textContent = JSON.stringify({ accessToken: result.accessToken, username: result.account.username });
});
window.login = () => pca.loginRedirect({ scopes: [cfg.scope] });
window.silent = async () => {
  const account = pca.getAllAccounts()[0];
  const r = await pca.acquireTokenSilent({ account, scopes: [cfg.scope], forceRefresh: true });
  return r.accessToken;
};
`;

describe('dev tenant through msal-browser in Chromium', () => {
  let dev: RunningDevTenant;
  let app: https.Server;
  let chromium: { browser: Browser; close: () => Promise<void> };
  let appUrl: string;
  const tmp = tempDir('msal-page-');

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: PAGE_SCRIPT, resolveDir: projectRoot, loader: 'js' },
      bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    // The "app" origin serving the page; the dev tenant registers its /auth/callback as a SPA redirect.
    const certs = ensureDevCertificates(path.join(tmp.dir, 'tls'), []);
    app = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
      if (req.url === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<!doctype html><script>window.MSAL_CONFIG = ${JSON.stringify(config())};</script><pre id="out"></pre><script type="module" src="/app.js"></script>`,
      );
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `https://localhost:${(app.address() as AddressInfo).port}`;
    dev = await startTestDevTenant({ switchboard: { ...TEST_APP, appUrl } });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    app?.close();
    await dev?.stop();
    tmp.remove();
  });

  function config() {
    return { clientId: TEST_APP.clientId, authority: dev.authority(CONTOSO_TENANT_ID), host: dev.host, redirectUri: `${appUrl}/auth/callback`, scope: `${TEST_APP.identifierUri}/access_as_user` };
  }

  it('signs in with loginRedirect and renews with acquireTokenSilent', async () => {
    const context = await chromium.browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${appUrl}/`);
    await page.evaluate(() => (globalThis as unknown as { msalReady: Promise<void> }).msalReady);
    // loginRedirect navigates away, so start it outside the evaluation that would be destroyed.
    await page.evaluate(() => void setTimeout(() => (globalThis as unknown as { login: () => Promise<void> }).login(), 0));
    await page.waitForURL(`${dev.baseUrl}/**`);
    await page.getByRole('button', { name: /Grace Kim/ }).click();
    // msal-browser may hop from the redirect URI back to the page that started the sign-in.
    await page.locator('#out', { hasText: 'accessToken' }).waitFor({ timeout: 15_000 });
    const result = JSON.parse((await page.textContent('#out'))!);
    expect(result.username).toBe('grace.kim@contoso.example');
    expect(decodeJwt(result.accessToken)).toMatchObject({ aud: TEST_APP.clientId, azp: TEST_APP.clientId, scp: 'access_as_user', tid: CONTOSO_TENANT_ID });

    const renewed = await page.evaluate(() => (globalThis as unknown as { silent: () => Promise<string> }).silent());
    expect(renewed).not.toBe(result.accessToken);
    expect(decodeJwt(renewed).preferred_username).toBe('grace.kim@contoso.example');
    await context.close();
  });
});
