import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryResponse } from '../../src/server/tab-api-types.js';
import { seriousViolations } from './axe.js';
import {
  CONTOSO_GROUPS, CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, WAIT_MS, openBrowser, policyFor, startSwitchboard, type Switchboard, type TabBrowser,
} from './tab-harness.js';
import { TeamsHost, type TeamsTheme } from './teams-host.js';

/**
 * The tab inside Teams: a test host page at https://teams.microsoft.com embeds it and answers
 * teams-js (initialize, context, SSO tokens from the dev tenant as Teams web gets them, the consent
 * pop-up, deep links, theme changes), so the tab's own Teams path runs against the built server:
 * SSO and on-behalf-of without a sign-in page, the directory and its contact card, the theme as
 * Teams changes it, the no-access state and first-run consent for another organisation.
 */

/** Fabrikam's one group (src/dev-tenant/sample-organisation.ts gives it a fixed id). */
const FABRIKAM_STAFF = 'f9000001-5eed-4000-8000-000000000001';

/** Fluent UI's Teams themes (teamsLightTheme, teamsDarkTheme, teamsHighContrastTheme): colorNeutralBackground1 and colorNeutralForeground1. */
const THEME_COLOURS: Record<'light' | 'dark' | 'contrast', { background: string; foreground: string }> = {
  light: { background: 'rgb(255, 255, 255)', foreground: 'rgb(36, 36, 36)' },
  dark: { background: 'rgb(41, 41, 41)', foreground: 'rgb(255, 255, 255)' },
  contrast: { background: 'rgb(0, 0, 0)', foreground: 'rgb(255, 255, 255)' },
};

describe('the tab in Teams, through a test host that answers teams-js', () => {
  let sb: Switchboard;
  let chromium: TabBrowser;
  const contexts: BrowserContext[] = [];
  /** Every request any page of a context made to the dev tenant (its sign-in pages included). */
  const devTenantRequests = new Map<BrowserContext, string[]>();

  beforeAll(async () => {
    sb = await startSwitchboard();
    await sb.firstSignInAndSync('ethan.walker@contoso.example');
    await sb.setPolicy(policyFor([CONTOSO_GROUPS.allEmployees]));
    chromium = await openBrowser();
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await chromium?.close();
    await sb?.stop();
  });

  /** Opens Teams (the host page, in a fresh browser context) signed in as `username`, with the tab loaded. */
  async function openTeams(
    username: string,
    options: { theme?: TeamsTheme; path?: string; getAuthToken?: () => Promise<string> } = {},
  ): Promise<{ host: TeamsHost; tab: Frame; context: BrowserContext }> {
    const context = await chromium.newContext();
    contexts.push(context);
    const seen: string[] = [];
    devTenantRequests.set(context, seen);
    context.on('request', (r) => {
      if (new URL(r.url()).origin === sb.devTenant) seen.push(r.url());
    });
    const tenantId = username.endsWith('@fabrikam.example') ? FABRIKAM_TENANT_ID : CONTOSO_TENANT_ID;
    // Teams SSO: the token Teams web obtains for the app's access_as_user scope.
    const getAuthToken = options.getAuthToken ?? (() => sb.apiToken(username, tenantId));
    const oid = decodeJwt(await getAuthToken()).oid as string;
    const host = await TeamsHost.open(context, {
      contentUrl: `${sb.base}${options.path ?? '/tab'}`,
      user: { upn: username, tenantId, objectId: oid },
      ...(options.theme ? { theme: options.theme } : {}),
      getAuthToken,
    });
    const tab = await waitForTab(host);
    return { host, tab, context };
  }

  async function waitForTab(host: TeamsHost): Promise<Frame> {
    const tab = await host.tab(WAIT_MS);
    await tab.waitForLoadState('domcontentloaded', { timeout: WAIT_MS });
    return tab;
  }

  async function directory(username: string, query = 'limit=1'): Promise<DirectoryResponse> {
    const res = await sb.api('GET', `/directory?${query}`, await sb.apiToken(username));
    expect(res.status).toBe(200);
    return (await res.json()) as DirectoryResponse;
  }

  /** Waits until the tab's list shows the answer to this search with `total` people. */
  async function waitForList(tab: Frame, expected: { q?: string; total: number }): Promise<void> {
    await tab
      .locator(`[data-testid="directory-total"][data-q=${JSON.stringify(expected.q ?? '')}][data-total="${expected.total}"][data-busy="false"]`)
      .waitFor({ timeout: WAIT_MS });
  }

  /** The FluentProvider's theme as rendered: its name and the colours it computes to. */
  async function renderedTheme(tab: Frame): Promise<{ name: string | null; background: string; foreground: string; variable: string }> {
    return tab.evaluate(`(() => {
      const provider = document.querySelector('.fui-FluentProvider[data-theme]');
      const style = getComputedStyle(provider);
      return { name: provider.dataset.theme, background: style.backgroundColor, foreground: style.color, variable: style.getPropertyValue('--colorNeutralBackground1').trim() };
    })()`);
  }

  async function waitForSync(tenantId: string, after = 0): Promise<void> {
    await expect
      .poll(async () => ((await sb.cli(['sync', 'status', '--tenant', tenantId])) as { status: string }[]).filter((r) => r.status === 'succeeded').length, {
        timeout: 60_000, interval: 250, message: `no new successful sync round of ${tenantId}`,
      })
      .toBeGreaterThan(after);
  }

  it('signs Grace in with Teams SSO, no sign-in page anywhere, and shows the directory the policy allows', async () => {
    const { host, tab, context } = await openTeams('grace.kim@contoso.example');
    const expected = await directory('grace.kim@contoso.example');
    await waitForList(tab, { total: expected.total });
    expect(expected.total).toBeGreaterThan(10);
    expect(await tab.getByTestId('signed-in-user').textContent()).toBe('Grace Kim');
    expect(await tab.locator('[data-host="teams"]').count()).toBe(1);
    expect(await tab.getByTestId('contact-row').count()).toBeGreaterThan(5);

    // The teams-js conversation: initialize (answered as a content frame), context, then SSO.
    expect(host.received('initialize').map((m) => m.from)).toEqual(['tab']);
    expect(host.received('getContext').length).toBeGreaterThan(0);
    const tokenRequests = host.received('authentication.getAuthToken');
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.every((m) => m.from === 'tab')).toBe(true);
    // notifySuccess hides Teams' loading indicator.
    expect(host.received('appInitialization.success').length).toBe(1);
    // Nothing went to the identity provider from the browser: no msal-browser, no sign-in page, no pop-up.
    expect(devTenantRequests.get(context)).toEqual([]);
    expect(context.pages()).toHaveLength(1);
    expect(tab.url()).toBe(`${sb.base}/tab`);
    expect(await seriousViolations(tab)).toEqual([]);
  }, 60_000);

  it('searches as you type, and the contact card\'s Teams chat and call go through the host (app.openLink), not the frame', async () => {
    const { host, tab, context } = await openTeams('grace.kim@contoso.example');
    await waitForList(tab, { total: (await directory('grace.kim@contoso.example')).total });
    const found = await directory('grace.kim@contoso.example', 'q=Jonas%20Becker');
    expect(found.contacts.map((c) => c.userPrincipalName)).toEqual(['jonas.becker@contoso.example']);
    await tab.getByRole('searchbox', { name: 'Search' }).fill('Jonas Becker');
    await waitForList(tab, { q: 'Jonas Becker', total: 1 });
    await tab.getByTestId('contact-row').filter({ hasText: 'Jonas Becker' }).click();
    const card = tab.getByTestId('contact-card');
    await card.waitFor({ timeout: WAIT_MS });
    expect(await card.getByTestId('contact-field-jobTitle').textContent()).toBe('VP Sales Europe');

    expect(host.openedLinks()).toEqual([]);
    await card.getByTestId('contact-teams-chat').click();
    await expect.poll(() => host.openedLinks(), { timeout: WAIT_MS }).toEqual(['https://teams.microsoft.com/l/chat/0/0?users=jonas.becker@contoso.example']);
    await card.getByTestId('contact-teams-call').click();
    await expect.poll(() => host.openedLinks(), { timeout: WAIT_MS }).toEqual([
      'https://teams.microsoft.com/l/chat/0/0?users=jonas.becker@contoso.example',
      'https://teams.microsoft.com/l/call/0/0?users=jonas.becker@contoso.example',
    ]);
    expect(host.received('executeDeepLink').every((m) => m.from === 'tab')).toBe(true);
    // The host opened them: no new window, and the tab's frame did not navigate away.
    expect(context.pages()).toHaveLength(1);
    expect(tab.url()).toBe(`${sb.base}/tab`);
    await card.waitFor({ timeout: WAIT_MS });
  }, 60_000);

  it('follows the Teams theme from default to dark to high contrast as the host pushes themeChange', async () => {
    const { host, tab } = await openTeams('grace.kim@contoso.example', { theme: 'default' });
    await waitForList(tab, { total: (await directory('grace.kim@contoso.example')).total });
    expect(await renderedTheme(tab)).toEqual({ name: 'light', ...THEME_COLOURS.light, variable: '#ffffff' });
    // The tab asked to hear about theme changes.
    expect(host.received('registerHandler').map((m) => m.args[0])).toContain('themeChange');

    await host.setTheme('dark');
    await tab.locator('[data-theme="dark"]').waitFor({ timeout: WAIT_MS });
    expect(await renderedTheme(tab)).toEqual({ name: 'dark', ...THEME_COLOURS.dark, variable: '#292929' });
    expect(await seriousViolations(tab)).toEqual([]);

    await host.setTheme('contrast');
    await tab.locator('[data-theme="contrast"]').waitFor({ timeout: WAIT_MS });
    expect(await renderedTheme(tab)).toEqual({ name: 'contrast', ...THEME_COLOURS.contrast, variable: '#000000' });
    expect(await seriousViolations(tab)).toEqual([]);

    await host.setTheme('default');
    await tab.locator('[data-theme="light"]').waitFor({ timeout: WAIT_MS });
    expect((await renderedTheme(tab)).background).toBe(THEME_COLOURS.light.background);
  }, 60_000);

  it('starts in the theme Teams reports in its context', async () => {
    const { tab } = await openTeams('grace.kim@contoso.example', { theme: 'dark' });
    await tab.locator('[data-theme="dark"]').waitFor({ timeout: WAIT_MS });
    expect((await renderedTheme(tab)).background).toBe(THEME_COLOURS.dark.background);
  }, 60_000);

  it('tells Charlotte, outside every policy group, plainly that she receives no contacts, and shows nothing else', async () => {
    const { tab } = await openTeams('charlotte.davies@contoso.example');
    await tab.getByTestId('no-access').waitFor({ timeout: WAIT_MS });
    expect(await tab.getByTestId('no-access').textContent()).toMatch(/administrator has not included you in a group that receives contacts/);
    expect(await tab.getByTestId('signed-in-user').textContent()).toBe('Charlotte Davies');
    expect(await tab.getByRole('searchbox').count()).toBe(0);
    expect(await tab.getByTestId('directory-list').count()).toBe(0);
    expect(await tab.getByTestId('tab-admin').count()).toBe(0);
    expect((await sb.api('GET', '/directory', await sb.apiToken('charlotte.davies@contoso.example'))).status).toBe(403);
  }, 60_000);

  it('takes Fabrikam through first-run consent in the Teams pop-up: refused for a user, approved by an administrator, then the retry works', async () => {
    // Kofi's Teams SSO token is fine, but Fabrikam never consented: on-behalf-of fails, the API says ConsentRequired.
    const kofi = await openTeams('kofi.mensah@fabrikam.example');
    const panel = kofi.tab.getByTestId('consent-needed');
    await panel.waitFor({ timeout: WAIT_MS });
    const me = await sb.api('GET', '/me', await sb.apiToken('kofi.mensah@fabrikam.example'));
    expect(me.status).toBe(401);
    expect(((await me.json()) as { error: { code: string } }).error.code).toBe('ConsentRequired');
    const adminLink = new URL((await kofi.tab.getByTestId('admin-consent-link').getAttribute('href'))!);
    expect(`${adminLink.origin}${adminLink.pathname}`).toBe(`${sb.devTenant}/${FABRIKAM_TENANT_ID}/v2.0/adminconsent`);

    // "Review and approve" → authentication.authenticate → Teams opens /auth/start in a pop-up.
    const kofiPopup = await kofi.host.authWindow(() => kofi.tab.getByTestId('consent-button').click(), WAIT_MS);
    const [asked] = kofi.host.received('authentication.authenticate');
    const startUrl = new URL(String(asked!.args[0]));
    expect(`${startUrl.origin}${startUrl.pathname}`).toBe(`${sb.base}/auth/start`);
    expect(Object.fromEntries(startUrl.searchParams)).toEqual({ mode: 'consent', tenant: FABRIKAM_TENANT_ID, loginHint: 'kofi.mensah@fabrikam.example' });
    await signInInPopup(kofiPopup, 'kofi.mensah@fabrikam.example');
    // Not an administrator: Entra's "Need admin approval"; going back reports the refusal to the tab.
    await kofiPopup.getByText('Need admin approval').waitFor({ timeout: WAIT_MS });
    await kofiPopup.locator('#return').click();
    await kofiPopup.waitForEvent('close', { timeout: WAIT_MS });
    const failure = kofi.host.received('authentication.authenticate.failure');
    expect(failure.map((m) => m.from)).toEqual(['auth-window']);
    const problem = kofi.tab.getByTestId('challenge-problem');
    await problem.waitFor({ timeout: WAIT_MS });
    expect(await problem.textContent()).toMatch(/without approval.*AADSTS90094/s);
    await panel.waitFor({ timeout: WAIT_MS });

    // Nora, a Fabrikam administrator, approves in the same pop-up flow, for the whole organisation.
    const nora = await openTeams('nora.lindqvist@fabrikam.example');
    await nora.tab.getByTestId('consent-needed').waitFor({ timeout: WAIT_MS });
    const noraPopup = await nora.host.authWindow(() => nora.tab.getByTestId('consent-button').click(), WAIT_MS);
    await signInInPopup(noraPopup, 'nora.lindqvist@fabrikam.example');
    await noraPopup.getByText('Permissions requested').waitFor({ timeout: WAIT_MS });
    expect(await noraPopup.locator('main').textContent()).toContain('User.Read.All (Microsoft Graph)');
    await noraPopup.locator('#for_org').check();
    await noraPopup.locator('#accept').click();
    // /auth/end reports to Teams (notifySuccess) and the pop-up closes itself.
    await noraPopup.waitForEvent('close', { timeout: WAIT_MS });
    const success = nora.host.received('authentication.authenticate.success');
    expect(success).toEqual([{ from: 'auth-window', func: 'authentication.authenticate.success', args: ['consented'] }]);
    expect(nora.host.received('initialize').map((m) => m.from)).toEqual(['tab', 'auth-window']);
    // The tab retries by itself: signed in, but Fabrikam has no policy yet, so nobody there receives contacts.
    await nora.tab.getByTestId('no-access').waitFor({ timeout: WAIT_MS });
    expect(await nora.tab.getByTestId('signed-in-user').textContent()).toBe('Nora Lindqvist');
    expect(await nora.tab.getByTestId('tab-admin').count()).toBe(1);

    // Tenant-wide: Kofi's "Try again" now gets through too.
    await kofi.tab.getByTestId('consent-retry').click();
    await kofi.tab.getByTestId('no-access').waitFor({ timeout: WAIT_MS });

    // Nora's sign-in started Fabrikam's first sync; once Fabrikam Staff receive contacts, Kofi's tab shows Fabrikam only.
    await waitForSync(FABRIKAM_TENANT_ID);
    await sb.setPolicy(policyFor([FABRIKAM_STAFF]), FABRIKAM_TENANT_ID);
    const fabrikam = await directory('kofi.mensah@fabrikam.example');
    expect(fabrikam.total).toBe(5);
    await kofi.host.reload();
    const tab = await waitForTab(kofi.host);
    await waitForList(tab, { total: fabrikam.total });
    const names = await tab.getByTestId('contact-row').allTextContents();
    expect(names.some((n) => n.includes('Nora Lindqvist'))).toBe(true);
    expect(names.some((n) => n.includes('contoso') || n.includes('Grace Kim'))).toBe(false);
  }, 120_000);

  it('lets an administrator approve Switchboard for the organisation from Teams (the admin consent pop-up) once consent was withdrawn', async () => {
    // Fabrikam's consent (given in the test above, when it ran) is withdrawn in Entra.
    const tenants = (await (await fetch(`${sb.devTenant}/_dev/tenants?users=false`, { dispatcher: sb.dispatcher })).json()) as {
      tenants: { id: string; apps: { clientId: string; consent: { adminConsented: boolean } }[] }[];
    };
    const clientId = tenants.tenants.find((t) => t.id === FABRIKAM_TENANT_ID)!.apps[0]!.clientId;
    expect((await fetch(`${sb.devTenant}/_dev/tenants/${FABRIKAM_TENANT_ID}/consent/${clientId}`, { method: 'DELETE', dispatcher: sb.dispatcher })).status).toBe(204);

    const nora = await openTeams('nora.lindqvist@fabrikam.example');
    await nora.tab.getByTestId('consent-needed').waitFor({ timeout: WAIT_MS });
    const popup = await nora.host.authWindow(() => nora.tab.getByTestId('admin-consent-button').click(), WAIT_MS);
    const startUrl = new URL(String(nora.host.received('authentication.authenticate')[0]!.args[0]));
    expect(startUrl.searchParams.get('mode')).toBe('admin-consent');
    // /auth/start hands over to the organisation's admin consent endpoint.
    await popup.waitForURL((url) => url.origin === sb.devTenant && url.pathname === `/${FABRIKAM_TENANT_ID}/v2.0/adminconsent`, { timeout: WAIT_MS });
    await signInInPopup(popup, 'nora.lindqvist@fabrikam.example', { hinted: false });
    await popup.getByText('Permissions requested').waitFor({ timeout: WAIT_MS });
    await popup.locator('#accept').click();
    await popup.waitForEvent('close', { timeout: WAIT_MS });
    expect(nora.host.received('authentication.authenticate.success')).toEqual([{ from: 'auth-window', func: 'authentication.authenticate.success', args: ['admin-consent'] }]);

    await nora.tab.getByTestId('consent-needed').waitFor({ state: 'detached', timeout: WAIT_MS });
    await nora.tab.getByTestId('tab-directory').waitFor({ timeout: WAIT_MS });
    const after = (await (await fetch(`${sb.devTenant}/_dev/tenants?users=false`, { dispatcher: sb.dispatcher })).json()) as typeof tenants;
    expect(after.tenants.find((t) => t.id === FABRIKAM_TENANT_ID)!.apps[0]!.consent.adminConsented).toBe(true);
    expect((await sb.api('GET', '/me', await sb.apiToken('kofi.mensah@fabrikam.example'))).status).toBe(200);
  }, 90_000);

  it('answers a conditional-access claims challenge (MFA) with a sign-in in the Teams pop-up, and carries on with the stronger token', async () => {
    const username = 'liam.novak@contoso.example';
    // Teams holds an SSO token from before the organisation started requiring MFA for Liam; Teams
    // keeps handing it out, but on-behalf-of now meets AADSTS50076 with a claims challenge.
    const ssoToken = await sb.apiToken(username);
    expect(decodeJwt(ssoToken).amr).toEqual(['pwd']);
    const mfaRequired = `${sb.devTenant}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${username}/mfa-required`;
    expect((await fetch(mfaRequired, { method: 'PUT', dispatcher: sb.dispatcher })).status).toBe(204);
    try {
      const me = await sb.api('GET', '/me', ssoToken);
      expect(me.status).toBe(401);
      expect(((await me.json()) as { error: { code: string } }).error.code).toBe('InteractionRequired');

      const { host, tab } = await openTeams(username, { getAuthToken: async () => ssoToken });
      await tab.getByTestId('claims-needed').waitFor({ timeout: WAIT_MS });
      const popup = await host.authWindow(() => tab.getByTestId('claims-button').click(), WAIT_MS);
      const startUrl = new URL(String(host.received('authentication.authenticate')[0]!.args[0]));
      expect(startUrl.searchParams.get('mode')).toBe('claims');
      expect(JSON.parse(Buffer.from(startUrl.searchParams.get('claims')!, 'base64').toString())).toHaveProperty('access_token.capolids');

      // The dev tenant's sign-in page insists on the second factor for this request.
      await signInInPopup(popup, username);
      await popup.getByRole('alert').getByText(/requires multi-factor authentication/).waitFor({ timeout: WAIT_MS });
      await popup.locator('input[name="mfa"][type="checkbox"]').check();
      await popup.locator('#submit').click();
      await popup.waitForEvent('close', { timeout: WAIT_MS });

      // The pop-up handed the new API token (with amr "mfa") to the tab through notifySuccess; the tab uses it.
      const [success] = host.received('authentication.authenticate.success');
      const stepUp = String(success!.args[0]);
      expect(decodeJwt(stepUp)).toMatchObject({ amr: ['pwd', 'mfa'], tid: CONTOSO_TENANT_ID, scp: 'access_as_user' });
      await waitForList(tab, { total: (await directory('grace.kim@contoso.example')).total });
      expect(await tab.getByTestId('signed-in-user').textContent()).toBe('Liam Novak');
    } finally {
      await fetch(mfaRequired, { method: 'DELETE', dispatcher: sb.dispatcher });
    }
  }, 90_000);

  /**
   * The dev tenant's sign-in page in the pop-up: the account is the one Teams hinted (msal-browser
   * passes the login hint on; the admin consent endpoint takes none, so it is typed there); type the password.
   */
  async function signInInPopup(popup: Page, username: string, options: { hinted: boolean } = { hinted: true }): Promise<void> {
    await popup.waitForURL((url) => url.origin === sb.devTenant, { timeout: WAIT_MS });
    await popup.locator('#username').waitFor({ timeout: WAIT_MS });
    if (options.hinted) expect(await popup.locator('#username').inputValue()).toBe(username);
    else await popup.locator('#username').fill(username);
    await popup.locator('#password').fill(sb.password);
    await popup.locator('#submit').click();
  }
});
