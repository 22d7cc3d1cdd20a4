// `npm run screenshots`: screenshots of the tab's main pages, light and dark, for docs/tab.md.
// Builds dist/ when it is missing or older than the sources, then starts the built product as the
// end-to-end tests do (test/e2e/tab-harness.ts, bundled here with esbuild: the same setup without
// vitest) with the embedded dev tenant on free ports; signs Ethan Walker (the sample organisation's
// administrator) in through the dev tenant's sign-in page, saves a policy, connects two devices and
// writes docs/screenshots/{directory,contact-card,devices,connect-device,admin-policy,admin-sync}-{light,dark}.png
// at 1280×800. Plain JS: it runs before anything is built.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleNode } from './lib/bundle-node.mjs';
import { ensureDeps, run } from './lib/ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs', 'screenshots');
const ADMIN = 'ethan.walker@contoso.example';
/** Every bounded wait of this script. */
const WAIT_MS = 30_000;

ensureDeps(root);
if (buildIsStale()) run(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root });
await bundleNode(root, { harness: 'test/e2e/tab-harness.ts' }, 'dist/screenshots');
/** @type {typeof import('../test/e2e/tab-harness.ts')} */
const harness = await import(pathToFileURL(path.join(root, 'dist', 'screenshots', 'harness.js')).href);
const { CONTOSO_GROUPS, openBrowser, policyFor, signInWithBrowser, startSwitchboard } = harness;

fs.mkdirSync(out, { recursive: true });
const sb = await startSwitchboard();
let chromium;
try {
  await sb.firstSignInAndSync(ADMIN);
  // Everyone at Contoso sees each other, apart from the mobile numbers (a common choice).
  await sb.setPolicy(policyFor([CONTOSO_GROUPS.allEmployees], { hiddenFields: ['mobilePhone'] }));
  const token = await sb.apiToken(ADMIN);
  await connectDevice(token, 'iphone', 'iOS/17.5 (21F79) dataaccessd/1.0');
  await connectDevice(token, 'other', 'Thunderbird/128.3.1');

  chromium = await openBrowser();
  const context = await chromium.newContext();
  const page = await context.newPage();
  await signInWithBrowser(page, sb, ADMIN);
  const shot = async (name, scheme) => {
    await settle(page);
    const file = path.join(out, `${name}-${scheme}.png`);
    await page.screenshot({ path: file });
    console.log(`  ${path.relative(root, file)}`);
  };

  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${sb.base}/tab`);
    await page.locator(`[data-theme="${scheme}"]`).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="directory-total"][data-busy="false"]').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('contact-row').first().waitFor({ timeout: WAIT_MS });
    await shot('directory', scheme);

    // Amelia Hart has a photo in the sample organisation.
    await page.getByTestId('contact-row').filter({ hasText: 'Amelia Hart' }).click();
    await page.locator('[data-testid="contact-photo"][data-photo="image"]').waitFor({ timeout: WAIT_MS });
    await shot('contact-card', scheme);
    await page.getByTestId('contact-card-close').click();
    await page.getByTestId('contact-card').waitFor({ state: 'detached', timeout: WAIT_MS });

    await page.getByRole('tab', { name: 'My devices' }).click();
    await page.getByTestId('device-row').nth(1).waitFor({ timeout: WAIT_MS });
    await shot('devices', scheme);
    await page.getByTestId('connect-device').click();
    await page.getByTestId('enrollment-qr').waitFor({ timeout: WAIT_MS });
    await page.waitForFunction('document.querySelector("[data-testid=enrollment-qr]").naturalWidth > 0', undefined, { timeout: WAIT_MS });
    await shot('connect-device', scheme);
    await page.getByTestId('connect-dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('connect-dialog').waitFor({ state: 'detached', timeout: WAIT_MS });

    // Admin settings: a draft that adds Marketing, with the search results and the live preview.
    await page.getByRole('tab', { name: 'Admin' }).click();
    await page.getByTestId('admin-page').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('admin-group-search').fill('Mar');
    await page.locator(`[data-testid="admin-group-result"][data-group-id="${CONTOSO_GROUPS.marketing}"]`).waitFor({ timeout: WAIT_MS });
    await page.locator(`[data-testid="admin-group-result"][data-group-id="${CONTOSO_GROUPS.marketing}"]`).getByTestId('admin-group-add').click();
    await page.locator('[data-testid="admin-preview-result"][data-current="true"]').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('admin-preview-changes').waitFor({ timeout: WAIT_MS });
    await page.evaluate('document.querySelector("main").scrollTo(0, 0)');
    await shot('admin-policy', scheme);

    // Sync health after "Run sync now" (the draft stays unsaved; the next goto discards it).
    await page.getByTestId('admin-tab-sync').click();
    await page.locator('[data-testid="admin-sync-now"]:not([disabled])').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('admin-sync-now').click();
    await page.locator('[data-testid="admin-sync-message"][data-intent="success"]').waitFor({ timeout: 90_000 });
    await shot('admin-sync', scheme);
    await page.getByTestId('admin-tab-policy').click();
    await page.getByTestId('admin-discard').click();
  }
  console.log(`Screenshots written to ${path.relative(root, out)}/`);
} finally {
  await chromium?.close();
  await sb.stop();
}

/** Connects a device for `token`'s user as a phone or computer would: the enrollment link, its button, one sync. */
async function connectDevice(token, platform, userAgent) {
  const { fetch } = await import('undici');
  const started = await sb.api('POST', '/devices', token, {});
  if (started.status !== 201) throw new Error(`POST /api/devices answered ${started.status}: ${await started.text()}`);
  const { enrollmentUrl } = await started.json();
  const page = await fetch(enrollmentUrl, {
    method: 'POST', dispatcher: sb.dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    body: new URLSearchParams({ platform }),
  });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the enrollment link answered ${page.status}: ${html.slice(0, 300)}`);
  const value = (label) => html.match(new RegExp(`<dt>${label}</dt><dd><code>([^<]+)</code>`))?.[1];
  const [server, username, password] = [value('Address book URL') ?? value('Server'), value('User name'), value('Password')];
  if (!server || !username || !password) return; // a profile-only page: the device shows as not synced yet
  // A bare host (the Apple page) is found through the CardDAV root, as discovery would find it.
  const url = server.startsWith('https://') ? server : `https://${server}/dav/`;
  const sync = await fetch(url, {
    method: 'PROPFIND', dispatcher: sb.dispatcher,
    headers: { depth: '0', 'user-agent': userAgent, authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });
  if (sync.status !== 207) throw new Error(`the device's first sync answered ${sync.status}`);
}

/** Waits until nothing animates and no image is still loading, so screenshots are stable. */
async function settle(page) {
  await page.waitForFunction('document.getAnimations().every((a) => a.playState !== "running") && [...document.images].every((i) => i.complete)', undefined, { timeout: WAIT_MS });
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
}

/** True when dist/ lacks the server or the tab, or a source file is newer than the build. */
function buildIsStale() {
  const built = [path.join(root, 'dist', 'server.js'), path.join(root, 'dist', 'tab', 'index.html')];
  if (!built.every((f) => fs.existsSync(f))) return true;
  const builtAt = Math.min(...built.map((f) => fs.statSync(f).mtimeMs));
  const newer = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? newer(full) : fs.statSync(full).mtimeMs > builtAt;
    });
  return ['src', 'tab'].some((d) => newer(path.join(root, d)));
}
