import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import type {
  AdminAuditResponse, AdminPolicyPreview, AdminPolicyResponse, AdminSyncResponse, DirectoryResponse, EnrollmentResponse, MeResponse,
} from '../../src/server/tab-api-types.js';
import { seriousViolations } from './axe.js';
import { CONTOSO_GROUPS, WAIT_MS, openBrowser, policyFor, signInWithBrowser, startSwitchboard, type Switchboard, type TabBrowser } from './tab-harness.js';

/**
 * The admin settings end to end, in a browser signed in through the dev tenant: Ethan (Global
 * Administrator and Switchboard.Admin) replaces Engineering by Marketing as the group that receives
 * contacts, with the preview's figures before saving; Charlotte (Marketing) gains the directory and
 * Grace (Engineering) loses it; "Run sync now" adds a successful round; the audit log shows both.
 * A non-administrator sees no Admin tab, and /tab/admin shows (and fetches) nothing of it.
 */

const ETHAN = 'ethan.walker@contoso.example';
const GRACE = 'grace.kim@contoso.example'; // Engineering
const CHARLOTTE = 'charlotte.davies@contoso.example'; // Marketing (a Microsoft 365 group)

describe('admin settings in the tab: a group change and its effect on other people', () => {
  let sb: Switchboard;
  let chromium: TabBrowser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    sb = await startSwitchboard();
    await sb.firstSignInAndSync(ETHAN);
    // To begin with, Engineering receives contacts (of its own members) and nobody else does.
    await sb.setPolicy(policyFor([CONTOSO_GROUPS.engineering]));
    chromium = await openBrowser();
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await chromium?.close();
    await sb?.stop();
  });

  async function signedIn(username: string, path = '/'): Promise<Page> {
    const context = await chromium.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await signInWithBrowser(page, sb, username, path);
    return page;
  }

  async function api<T>(username: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await sb.api(method, path, await sb.apiToken(username), body);
    return { status: res.status, body: (await res.json()) as T };
  }

  it('Ethan replaces Engineering by Marketing with the preview\'s figures; Charlotte gains the directory, Grace loses it; sync now and the audit log follow', async () => {
    // Before: Charlotte sees the no-access page, Grace the directory.
    const charlotte = await signedIn(CHARLOTTE);
    await charlotte.getByTestId('no-access').waitFor({ timeout: WAIT_MS });
    const grace = await signedIn(GRACE);
    await grace.getByTestId('directory-list').waitFor({ timeout: WAIT_MS });

    const ethan = await signedIn(ETHAN);
    await ethan.getByTestId('tab-admin').click();
    await ethan.waitForURL((url) => url.pathname === '/tab/admin', { timeout: WAIT_MS });
    await ethan.getByTestId('admin-page').waitFor({ timeout: WAIT_MS });
    const before = (await api<AdminPolicyResponse>(ETHAN, 'GET', '/admin/policy')).body;
    const state = ethan.getByTestId('admin-policy-state');
    await ethan.locator(`[data-testid="admin-policy-state"][data-version="${before.version}"][data-dirty="false"]`).waitFor({ timeout: WAIT_MS });
    expect(before.version).toBeGreaterThan(0);
    expect(await ethan.getByTestId('admin-group-tag').evaluateAll((tags) => tags.map((t) => t.getAttribute('data-group-id')))).toEqual([CONTOSO_GROUPS.engineering]);

    // Search as you type, add Marketing, remove Engineering.
    await ethan.getByTestId('admin-group-search').fill('Mark');
    const result = ethan.locator(`[data-testid="admin-group-result"][data-group-id="${CONTOSO_GROUPS.marketing}"]`);
    await result.waitFor({ timeout: WAIT_MS });
    expect(await result.textContent()).toContain('marketing@contoso.example');
    await result.getByTestId('admin-group-add').click();
    await ethan.locator(`[data-testid="admin-group-tag"][data-group-id="${CONTOSO_GROUPS.marketing}"]`).waitFor({ timeout: WAIT_MS });
    await ethan.locator(`[data-testid="admin-group-tag"][data-group-id="${CONTOSO_GROUPS.engineering}"]`).getByTestId('admin-group-remove').click();
    await ethan.locator(`[data-testid="admin-group-tag"][data-group-id="${CONTOSO_GROUPS.engineering}"]`).waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await state.getAttribute('data-dirty')).toBe('true');

    // The preview shows what the server computes for this draft: Marketing's five staff and its guest
    // receive contacts, five each (guests are excluded as contacts, not as receivers).
    const draft = { ...before.policy, groups: [CONTOSO_GROUPS.marketing] };
    const preview = await api<AdminPolicyPreview>(ETHAN, 'POST', '/admin/policy/preview', { policy: draft });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ usersReceiving: 6, contactsPerUser: { min: 5, median: 5, max: 5 } });
    await ethan
      .locator(`[data-testid="admin-preview-result"][data-current="true"] [data-testid="admin-preview-users"][data-value="${preview.body.usersReceiving}"]`)
      .waitFor({ timeout: WAIT_MS });
    expect(await ethan.getByTestId('admin-preview-users').textContent()).toBe('6');
    expect(await ethan.getByTestId('admin-preview-contacts').getAttribute('data-median')).toBe('5');
    expect(await seriousViolations(ethan)).toEqual([]);

    await ethan.getByTestId('admin-save').click();
    const saved = ethan.getByTestId('admin-save-result');
    await saved.waitFor({ timeout: WAIT_MS });
    expect(await saved.textContent()).toContain(`Policy saved (version ${before.version + 1})`);
    await ethan.locator(`[data-testid="admin-policy-state"][data-version="${before.version + 1}"][data-dirty="false"]`).waitFor({ timeout: WAIT_MS });
    const after = (await api<AdminPolicyResponse>(ETHAN, 'GET', '/admin/policy')).body;
    expect(after).toMatchObject({ version: before.version + 1, policy: { groups: [CONTOSO_GROUPS.marketing] } });

    // At once: Charlotte, who had no access, now has the directory (Marketing's members); Grace has lost hers.
    expect((await api<MeResponse>(CHARLOTTE, 'GET', '/me')).body.receivesContacts).toBe(true);
    expect((await api<MeResponse>(GRACE, 'GET', '/me')).body.receivesContacts).toBe(false);
    const charlottes = (await api<DirectoryResponse>(CHARLOTTE, 'GET', '/directory?limit=200')).body;
    expect(charlottes.total).toBe(5);
    await charlotte.goto(`${sb.base}/tab`);
    await charlotte.locator(`[data-testid="directory-total"][data-total="${charlottes.total}"][data-busy="false"]`).waitFor({ timeout: WAIT_MS });
    const shown = await charlotte.getByTestId('contact-row').allTextContents();
    expect(shown).toHaveLength(5);
    for (const c of charlottes.contacts) expect(shown.filter((t) => t.includes(c.displayName!))).toHaveLength(1);
    expect(shown.some((t) => t.includes('Grace Kim'))).toBe(false);
    expect(await charlotte.getByTestId('no-access').count()).toBe(0);
    await grace.goto(`${sb.base}/tab`);
    await grace.getByTestId('no-access').waitFor({ timeout: WAIT_MS });
    expect(await grace.getByTestId('directory-list').count()).toBe(0);

    // With the directory, Charlotte may connect a phone; the admin pages count it.
    await connectDevice(CHARLOTTE);
    await ethan.getByTestId('admin-tab-devices').click();
    await ethan.locator('[data-testid="admin-devices-count"][data-value="1"]').waitFor({ timeout: WAIT_MS });
    expect(await ethan.getByTestId('admin-devices-users').getAttribute('data-value')).toBe('1');
    const charlotteId = (await api<MeResponse>(CHARLOTTE, 'GET', '/me')).body.user.id;
    // One row, hers, by name, with one device that has not synced yet.
    expect(await ethan.getByTestId('admin-devices-row').count()).toBe(1);
    expect(await ethan.locator(`[data-testid="admin-devices-row"][data-user-id="${charlotteId}"]`).textContent()).toMatch(/^Charlotte Davies\s*1\s*never$/);

    // Sync health: "Run sync now" adds a round, which succeeds.
    const runsBefore = (await api<AdminSyncResponse>(ETHAN, 'GET', '/admin/sync')).body.runs;
    await ethan.getByTestId('admin-tab-sync').click();
    await ethan.locator('[data-testid="admin-sync-last"][data-status="succeeded"]').waitFor({ timeout: WAIT_MS });
    expect(await ethan.getByTestId('admin-sync-devices').textContent()).toBe('1 device of 1 user');
    expect(await ethan.getByTestId('admin-sync-run').count()).toBe(runsBefore.length);
    await ethan.getByTestId('admin-sync-now').click();
    await ethan.locator('[data-testid="admin-sync-message"][data-intent="success"]').waitFor({ timeout: 60_000 });
    const runsAfter = (await api<AdminSyncResponse>(ETHAN, 'GET', '/admin/sync')).body.runs;
    expect(runsAfter).toHaveLength(runsBefore.length + 1);
    expect(runsAfter[0]).toMatchObject({ trigger: 'manual', status: 'succeeded' });
    expect(runsAfter[0]!.id).toBeGreaterThan(runsBefore[0]!.id);
    await ethan.locator(`[data-testid="admin-sync-run"]`).nth(runsAfter.length - 1).waitFor({ timeout: WAIT_MS });
    expect(await ethan.getByTestId('admin-sync-run').first().getAttribute('data-status')).toBe('succeeded');
    expect(await ethan.getByTestId('admin-sync-last').getAttribute('data-status')).toBe('succeeded');

    // The audit log, newest first: the sync Ethan started, then his policy change, with what changed.
    const audit = (await api<AdminAuditResponse>(ETHAN, 'GET', '/admin/audit')).body.entries;
    expect(audit.slice(0, 2).map((e) => [e.action, e.actor.name])).toEqual([['sync.run', 'Ethan Walker'], ['policy.update', 'Ethan Walker']]);
    const change = audit[1]!.changes.join('\n');
    expect(change).toMatch(/Marketing/);
    expect(change).toMatch(/Engineering/);
    await ethan.getByTestId('admin-tab-audit').click();
    const rows = ethan.getByTestId('admin-audit-row');
    await rows.first().waitFor({ timeout: WAIT_MS });
    expect(await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-action')))).toEqual(audit.map((e) => e.action));
    const policyRow = ethan.locator('[data-testid="admin-audit-row"][data-action="policy.update"]').first();
    expect(await policyRow.textContent()).toContain('Ethan Walker');
    for (const line of audit[1]!.changes) expect(await policyRow.textContent()).toContain(line);
    expect(await seriousViolations(ethan)).toEqual([]);
  }, 180_000);

  /** Connects a device for `username` as a computer would: the enrollment link from the API, then its Continue button. */
  async function connectDevice(username: string): Promise<void> {
    const started = await api<EnrollmentResponse>(username, 'POST', '/devices', {});
    expect(started.status).toBe(201);
    const redeemed = await fetch(started.body.enrollmentUrl, {
      method: 'POST', dispatcher: sb.dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ platform: 'other' }),
    });
    expect(redeemed.status).toBe(200);
    expect(await redeemed.text()).toContain('Password');
  }

  it('shows a non-administrator no Admin tab, and /tab/admin neither shows nor fetches anything of the admin settings', async () => {
    const context = await chromium.newContext();
    contexts.push(context);
    const adminRequests: string[] = [];
    context.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/admin')) adminRequests.push(r.url());
    });
    const page = await context.newPage();
    await signInWithBrowser(page, sb, CHARLOTTE);
    await page.getByTestId('tab-directory').waitFor({ timeout: WAIT_MS });
    expect(await page.getByTestId('tab-devices').count()).toBe(1);
    expect(await page.getByTestId('tab-admin').count()).toBe(0);

    await page.goto(`${sb.base}/tab/admin`);
    const refusal = page.getByTestId('admin-only');
    await refusal.waitFor({ timeout: WAIT_MS });
    expect(await refusal.textContent()).toContain('Administrators only');
    expect(await page.getByTestId('admin-page').count()).toBe(0);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const secret of ['Marketing', 'Engineering', 'Sync health', 'Audit log', 'policy']) expect(text).not.toContain(secret);
    expect(adminRequests).toEqual([]);

    // The server is what keeps it so: every admin API refuses her.
    for (const [method, path, body] of [
      ['GET', '/admin/policy'], ['PUT', '/admin/policy', { policy: policyFor([CONTOSO_GROUPS.marketing]), version: 99 }], ['POST', '/admin/policy/preview', { policy: policyFor([]) }],
      ['GET', '/admin/groups?search=Mark'], ['GET', '/admin/sync'], ['POST', '/admin/sync'], ['GET', '/admin/audit'],
    ] as [string, string, unknown?][]) {
      const res = await sb.api(method, path, await sb.apiToken(CHARLOTTE), body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);
});
