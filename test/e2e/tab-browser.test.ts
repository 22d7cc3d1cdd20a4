import type { BrowserContext, Page } from 'playwright-core';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe.js';
import type { DevicesResponse, DirectoryContact, DirectoryResponse } from '../../src/server/tab-api-types.js';
import {
  CONTOSO_GROUPS, FABRIKAM_TENANT_ID, WAIT_MS, openBrowser, policyFor, signInWithBrowser, startSwitchboard, type Switchboard, type TabBrowser,
} from './tab-harness.js';

/**
 * The tab in a plain browser (no Teams): msal-browser signs in through the dev tenant's sign-in page,
 * then the directory, the contact card, the devices page, the no-access state and the consent flow
 * run against the built server, as a person would use them.
 */


/** Contoso's policy for these tests: All Employees receive each other; Marketing (a Microsoft 365 group outside it) receives nothing. */
const POLICY = policyFor([CONTOSO_GROUPS.allEmployees]);

describe('the tab in a browser, signed in with msal-browser against the dev tenant', () => {
  let sb: Switchboard;
  let chromium: TabBrowser;
  let context: BrowserContext;
  let page: Page;
  /** What the API says Grace may see, to compare the page against. */
  let graceToken: string;

  beforeAll(async () => {
    sb = await startSwitchboard();
    await sb.firstSignInAndSync('ethan.walker@contoso.example');
    await sb.setPolicy(POLICY);
    chromium = await openBrowser();
    context = await chromium.newContext();
    page = await context.newPage();
    graceToken = await sb.apiToken('grace.kim@contoso.example');
    // Grace signs in once; every test below starts from a freshly loaded page of that session.
    await signInWithBrowser(page, sb, 'grace.kim@contoso.example');
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await chromium?.close();
    await sb?.stop();
  });

  async function directory(query: string): Promise<DirectoryResponse> {
    const res = await sb.api('GET', `/directory?${query}`, graceToken);
    expect(res.status).toBe(200);
    return (await res.json()) as DirectoryResponse;
  }

  const rows = () => page.getByTestId('contact-row');
  const search = () => page.getByRole('searchbox', { name: 'Search' });
  const total = () => page.getByTestId('directory-total');

  /**
   * Waits until the list shows the answer to this search and department (the page marks which query
   * its results answer) with `total` people; the search box is debounced, so this is what "settled" means.
   */
  async function waitForList(expected: { q?: string; department?: string; total: number }): Promise<void> {
    const q = JSON.stringify(expected.q ?? '');
    const department = JSON.stringify(expected.department ?? '');
    await page
      .locator(`[data-testid="directory-total"][data-q=${q}][data-department=${department}][data-total="${expected.total}"][data-busy="false"]`)
      .waitFor({ timeout: WAIT_MS });
  }

  /** The directory page freshly loaded (no search, no filter), settled. */
  async function freshDirectory(): Promise<void> {
    await freshDirectoryOf((await directory('limit=1')).total);
  }

  async function freshDirectoryOf(count: number): Promise<void> {
    await page.goto(`${sb.base}/tab`);
    await waitForList({ total: count });
  }

  /** Types a search and waits for its answer, as the API gives it. */
  async function searchFor(q: string): Promise<DirectoryResponse> {
    const expected = await directory(q ? `q=${encodeURIComponent(q)}` : 'limit=1');
    await search().fill(q);
    await waitForList({ q, total: expected.total });
    return expected;
  }

  it('signs in through the dev tenant and shows the directory the policy allows, with its total', async () => {
    expect(await page.getByTestId('signed-in-user').textContent()).toBe('Grace Kim');
    const all = await directory('limit=1');
    expect(all.total).toBeGreaterThan(10);
    await waitForList({ total: all.total });
    expect(await total().textContent()).toContain(`${all.total} people`);
    await rows().first().waitFor({ timeout: WAIT_MS });
    expect(await rows().count()).toBeGreaterThan(5); // virtualised: only the rows in view exist
    expect(new URL(page.url()).pathname).toBe('/');
    // Marketing (a Microsoft 365 group) is outside All Employees: Charlotte Davies is not Grace's to find.
    expect((await searchFor('Charlotte')).total).toBe(0);
    await page.getByTestId('directory-empty').waitFor({ timeout: WAIT_MS });
    expect(await rows().count()).toBe(0);
  });

  it('narrows the list as you type a surname, and widens it again when the search is cleared', async () => {
    await freshDirectory();
    await rows().filter({ hasText: 'Amelia Hart' }).waitFor({ timeout: WAIT_MS });
    const found = await searchFor('Beck');
    expect(found.contacts.map((c) => c.displayName)).toEqual(['Jonas Becker']);
    expect(await rows().count()).toBe(1);
    expect(await rows().first().textContent()).toContain('Jonas Becker');
    expect(await page.getByText('Amelia Hart').count()).toBe(0);

    await searchFor('');
    await rows().filter({ hasText: 'Amelia Hart' }).waitFor({ timeout: WAIT_MS });
  });

  it('filters by department with the facet the API offers', async () => {
    await freshDirectory();
    const facets = (await directory('limit=1')).facets;
    const engineering = facets.departments.find((d) => d.value === 'Engineering');
    expect(engineering?.count).toBeGreaterThan(1);
    await page.getByRole('combobox', { name: 'Department' }).click();
    await page.getByRole('option', { name: `Engineering (${engineering!.count})` }).click();
    await waitForList({ department: 'Engineering', total: engineering!.count });
    expect(await rows().count()).toBe(engineering!.count);
    for (const text of await rows().allTextContents()) expect(text).toContain('· Engineering ·');
    expect((await rows().allTextContents()).filter((t) => t.includes('Grace Kim'))).toEqual([expect.stringContaining('Engineering Manager · Engineering · Redmond 25/3001')]);

    await page.getByRole('combobox', { name: 'Department' }).click();
    await page.getByRole('option', { name: 'All departments' }).click();
    await waitForList({ total: (await directory('limit=1')).total });
  });

  it('opens a contact card with every field and the tel:, mailto: and Teams chat and call links', async () => {
    await freshDirectory();
    const [jonas] = (await searchFor('Jonas Becker')).contacts;
    expect(jonas?.userPrincipalName).toBe('jonas.becker@contoso.example');
    await rows().filter({ hasText: 'Jonas Becker' }).click();
    const card = page.getByTestId('contact-card');
    await card.waitFor({ timeout: WAIT_MS });
    expect(await card.getByRole('heading').first().textContent()).toContain('Jonas Becker');

    const tel = await card.getByTestId('contact-tel').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    // "+49 30 901820" and "+49 151 2345 6789" as dialable RFC 3966 numbers.
    expect(tel).toEqual(['tel:+4930901820', 'tel:+4915123456789']);
    expect(await card.getByTestId('contact-teams-chat').getAttribute('href')).toBe('https://teams.microsoft.com/l/chat/0/0?users=jonas.becker@contoso.example');
    expect(await card.getByTestId('contact-teams-call').getAttribute('href')).toBe('https://teams.microsoft.com/l/call/0/0?users=jonas.becker@contoso.example');
    expect(await card.getByTestId('contact-email').getAttribute('href')).toBe(`mailto:${jonas!.mail}`);
    for (const [field, value] of Object.entries({ jobTitle: jonas!.jobTitle, department: jonas!.department, officeLocation: jonas!.officeLocation, country: jonas!.country })) {
      expect(await card.getByTestId(`contact-field-${field}`).textContent(), field).toBe(value);
    }
    // Outside Teams, deep links open in a new browser tab rather than replacing the tab.
    expect(await card.getByTestId('contact-teams-chat').getAttribute('target')).toBe('_blank');

    await card.getByTestId('contact-card-close').click();
    await card.waitFor({ state: 'detached', timeout: WAIT_MS });
  });

  it('shows the photo of a contact who has one, fetched through the API', async () => {
    await freshDirectory();
    const [amelia] = (await searchFor('Amelia Hart')).contacts;
    expect(amelia?.hasPhoto).toBe(true);
    await rows().filter({ hasText: 'Amelia Hart' }).click();
    const photo = page.getByTestId('contact-card').locator('[data-testid="contact-photo"][data-photo="image"] img');
    await photo.waitFor({ timeout: WAIT_MS });
    expect(await photo.getAttribute('src')).toMatch(/^blob:https:\/\/localhost:\d+\//);
    expect(await photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await page.getByTestId('contact-card').waitFor({ state: 'detached', timeout: WAIT_MS });
  });

  it('moves between people with the arrow keys and opens a card with Enter', async () => {
    await freshDirectory();
    await rows().first().focus();
    await page.keyboard.press('ArrowDown');
    const focused = page.locator(':focus');
    expect(await focused.getAttribute('data-row-index')).toBe('1');
    const name = (await focused.locator('.fui-Text').first().textContent()) ?? '';
    expect(name).not.toBe('');
    await page.keyboard.press('Enter');
    await page.getByTestId('contact-card').getByText(name).first().waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('Escape');
    await page.getByTestId('contact-card').waitFor({ state: 'detached', timeout: WAIT_MS });
    // Focus goes back to the person whose card it was.
    await page.locator('[data-row-index="1"]:focus').waitFor({ timeout: WAIT_MS });
  });

  it('has no serious or critical axe-core violations on the directory and the contact card', async () => {
    await freshDirectory();
    expect(await seriousViolations(page)).toEqual([]);
    await rows().first().click();
    await page.getByTestId('contact-card').waitFor({ timeout: WAIT_MS });
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByTestId('contact-card').waitFor({ state: 'detached', timeout: WAIT_MS });
  });

  it('keeps only the rows in view in the page while scrolling through 100,000 people, fetching pages as it goes', async () => {
    // The sample organisation is small, so the directory API's answers are replaced here by a
    // generated directory of 100,000 people, served in pages of the size the tab asks for.
    const TOTAL = 100_000;
    const requested: number[] = [];
    await page.route(/\/api\/directory\?/, async (route) => {
      const url = new URL(route.request().url());
      const offset = Number(url.searchParams.get('cursor')?.slice(2) ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      requested.push(offset);
      const contacts = Array.from({ length: Math.min(limit, TOTAL - offset) }, (_, i) => syntheticContact(offset + i));
      const body: DirectoryResponse = {
        contacts, total: TOTAL, nextCursor: offset + limit < TOTAL ? `o:${offset + limit}` : null,
        facets: { departments: [{ value: 'Synthetic', count: TOTAL }], offices: [], groups: [] },
      };
      await route.fulfill({ json: body });
    });
    try {
      await freshDirectoryOf(TOTAL);
      const scroller = page.getByTestId('directory-list');
      const lastRenderedRow = () => page.evaluate('Math.max(...[...document.querySelectorAll("[data-row-index]")].map((e) => Number(e.dataset.rowIndex)))');
      for (let pageNo = 1; pageNo <= 5; pageNo++) {
        // Scroll to the end of what is loaded until page `pageNo` has been reached (it may still be on its way).
        await expect
          .poll(async () => {
            await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
            return lastRenderedRow();
          }, { timeout: WAIT_MS, message: `page ${pageNo} never scrolled into view; pages asked for: ${requested.join(', ')}` })
          .toBeGreaterThanOrEqual(pageNo * 200 - 1);
        expect(await rows().count()).toBeLessThan(60);
      }
      expect(requested.slice(0, 5)).toEqual([0, 200, 400, 600, 800]);
      expect(await page.locator('[role="listitem"]').first().getAttribute('aria-setsize')).toBe(String(TOTAL));
      expect(await total().textContent()).toContain((100_000).toLocaleString('en-US'));
    } finally {
      await page.unroute(/\/api\/directory\?/);
    }
  });

  it('says when it is offline, and carries on when the connection is back', async () => {
    await freshDirectory();
    await context.setOffline(true);
    try {
      await page.getByTestId('offline-banner').waitFor({ timeout: WAIT_MS });
      expect(await rows().count()).toBeGreaterThan(0); // what was loaded stays usable
    } finally {
      await context.setOffline(false);
    }
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: WAIT_MS });
    await waitForList({ total: (await directory('limit=1')).total });
  });

  it('connects a device (QR code and link), lists it once it has connected, and revokes it', async () => {
    await freshDirectory();
    await page.getByRole('tab', { name: 'My devices' }).click();
    await page.waitForURL((url) => url.pathname === '/tab/devices', { timeout: WAIT_MS });
    await page.getByTestId('devices-empty').waitFor({ timeout: WAIT_MS });

    await page.getByTestId('connect-device').click();
    const dialog = page.getByTestId('connect-dialog');
    const qr = dialog.getByTestId('enrollment-qr');
    await qr.waitFor({ timeout: WAIT_MS });
    expect(await qr.getAttribute('alt')).toMatch(/QR code/);
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
    const link = await dialog.getByTestId('enrollment-link').inputValue();
    expect(link.startsWith(`${sb.base}/enroll/`)).toBe(true);
    expect(await dialog.getByTestId('enrollment-expiry').textContent()).toMatch(/expires in 1[45] minutes/);
    expect(await dialog.getByTestId('enrollment-hints').textContent()).toMatch(/iPhone.*Android.*Thunderbird/s);

    // The device side: open the link and press its button, as a phone would.
    const phone = await context.newPage();
    await phone.goto(link);
    await phone.getByRole('button', { name: 'Continue' }).click();
    const value = (label: string) => phone.locator(`dt:text-is("${label}") + dd code`).textContent();
    const [bookUrl, username, password] = [await value('Address book URL'), await value('User name'), await value('Password')];
    await phone.close();
    // …and its contacts app syncs once, which is what "last seen" reports.
    const sync = await fetch(bookUrl!, {
      method: 'PROPFIND', dispatcher: sb.dispatcher,
      headers: { depth: '0', authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, 'user-agent': 'vdirsyncer/0.19.2' },
    });
    expect(sync.status).toBe(207);

    // The open dialog notices the new device by itself.
    await dialog.getByTestId('device-connected').waitFor({ timeout: WAIT_MS });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.locator('[data-testid="connect-device"]:focus').waitFor({ timeout: WAIT_MS });
    const row = page.getByTestId('device-row');
    await row.first().waitFor({ timeout: WAIT_MS });
    const listed = (await (await sb.api('GET', '/devices', graceToken)).json()) as DevicesResponse;
    expect(listed.devices).toHaveLength(1);
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain(listed.devices[0]!.name);
    expect(listed.devices[0]!.lastSeenAt).not.toBeNull();
    expect(await page.getByTestId('device-last-seen').textContent()).toBe('just now');
    expect(await row.first().textContent()).toContain('vdirsyncer/0.19.2');
    expect(await seriousViolations(page)).toEqual([]);

    await row.first().getByTestId('device-revoke').click();
    await page.getByTestId('revoke-dialog').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('revoke-confirm').click();
    await page.getByTestId('devices-empty').waitFor({ timeout: WAIT_MS });
    expect(((await (await sb.api('GET', '/devices', graceToken)).json()) as DevicesResponse).devices).toEqual([]);
  }, 60_000);

  it('follows the system colour scheme as it changes, and ?theme= overrides it', async () => {
    await freshDirectory();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('[data-theme="dark"]').waitFor({ timeout: WAIT_MS });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('[data-theme="light"]').waitFor({ timeout: WAIT_MS });
    // A reload keeps the session (msal-browser's cache): no second trip to the sign-in page.
    await page.goto(`${sb.base}/tab?theme=contrast`);
    await page.locator('[data-theme="contrast"]').waitFor({ timeout: WAIT_MS });
    await page.getByTestId('directory-list').waitFor({ timeout: WAIT_MS });
    expect(new URL(page.url()).origin).toBe(sb.base);
    await page.goto(`${sb.base}/tab?theme=dark`);
    await page.locator('[data-theme="dark"]').waitFor({ timeout: WAIT_MS });
  });

  it('tells someone outside every policy group plainly that they receive no contacts, and shows nothing else', async () => {
    const other = await chromium.newContext();
    try {
      const p = await other.newPage();
      await signInWithBrowser(p, sb, 'charlotte.davies@contoso.example');
      await p.getByTestId('no-access').waitFor({ timeout: WAIT_MS });
      expect(await p.getByTestId('no-access').textContent()).toMatch(/administrator has not included you in a group that receives contacts/);
      expect(await p.getByRole('searchbox').count()).toBe(0);
      expect(await p.getByTestId('directory-list').count()).toBe(0);
      // The API agrees: no directory, and no device link either.
      const token = await sb.apiToken('charlotte.davies@contoso.example');
      expect((await sb.api('GET', '/directory', token)).status).toBe(403);
      await p.getByRole('tab', { name: 'My devices' }).click();
      await p.getByTestId('connect-device').click();
      await p.locator('[data-testid="connect-problem"][data-code="NoAccess"]').waitFor({ timeout: WAIT_MS });
      expect(await seriousViolations(p)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('explains first-run consent to a Fabrikam user, whose approval attempt needs an administrator', async () => {
    const fabrikam = await chromium.newContext();
    try {
      const p = await fabrikam.newPage();
      await signInWithBrowser(p, sb, 'kofi.mensah@fabrikam.example');
      const panel = p.getByTestId('consent-needed');
      await panel.waitFor({ timeout: WAIT_MS });
      expect(await panel.textContent()).toContain('an administrator of your organisation must approve Switchboard once');
      const adminLink = await p.getByTestId('admin-consent-link').getAttribute('href');
      const url = new URL(adminLink!);
      expect(`${url.origin}${url.pathname}`).toBe(`${sb.devTenant}/${FABRIKAM_TENANT_ID}/v2.0/adminconsent`);
      expect(url.searchParams.get('redirect_uri')).toBe(`${sb.base}/auth/end`);
      expect(url.searchParams.get('client_id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await seriousViolations(p)).toEqual([]);

      // A non-administrator asking to approve meets Entra's "Need admin approval" and comes back told so.
      await p.getByTestId('consent-button').click();
      await p.getByText('Need admin approval').waitFor({ timeout: WAIT_MS });
      await p.locator('#return').click();
      await p.getByTestId('sign-in-notice').waitFor({ timeout: WAIT_MS });
      expect(await p.getByTestId('sign-in-notice').textContent()).toMatch(/without approval/);
      await panel.waitFor({ timeout: WAIT_MS });
    } finally {
      await fabrikam.close();
    }
  });

  it('lets a Fabrikam administrator approve Switchboard for the organisation, after which the tab works for them', async () => {
    const fabrikam = await chromium.newContext();
    try {
      const p = await fabrikam.newPage();
      await signInWithBrowser(p, sb, 'nora.lindqvist@fabrikam.example');
      await p.getByTestId('consent-needed').waitFor({ timeout: WAIT_MS });
      await p.getByTestId('admin-consent-button').click();
      await p.waitForURL((url) => url.origin === sb.devTenant && url.pathname.endsWith('/adminconsent'), { timeout: WAIT_MS });
      await p.locator('#accept').click();
      await p.getByTestId('auth-outcome').getByText('Switchboard is approved for your organisation').waitFor({ timeout: WAIT_MS });
      expect(new URL(p.url()).pathname).toBe('/auth/end');
      await p.getByRole('link', { name: 'Open Switchboard' }).click();
      // Approved, but Fabrikam has no policy yet: nobody there receives contacts.
      await p.getByTestId('no-access').waitFor({ timeout: WAIT_MS });
      // Tenant-wide: the dev tenant records admin consent, and another Fabrikam user's API calls now work.
      const tenants = (await (await fetch(`${sb.devTenant}/_dev/tenants?users=false`, { dispatcher: sb.dispatcher })).json()) as {
        tenants: { id: string; apps: { consent: { adminConsented: boolean } }[] }[];
      };
      expect(tenants.tenants.find((t) => t.id === FABRIKAM_TENANT_ID)?.apps[0]?.consent.adminConsented).toBe(true);
      const me = await sb.api('GET', '/me', await sb.apiToken('kofi.mensah@fabrikam.example'));
      expect(me.status).toBe(200);
    } finally {
      await fabrikam.close();
    }
  });

  it('serves its sign-in pages (the registered redirect URIs and the Teams pop-up page) as routes of the tab', async () => {
    for (const route of ['/auth/callback', '/auth/start', '/auth/end']) {
      const res = await fetch(`${sb.base}${route}`, { dispatcher: sb.dispatcher });
      expect(res.status, route).toBe(200);
      expect(await res.text()).toContain('<div id="root"></div>');
    }
  });
});

/** Person `n` of a generated directory, shaped as the API answers. */
function syntheticContact(n: number): DirectoryContact {
  return {
    id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, displayName: `Person ${n}`, givenName: 'Person', surname: String(n),
    mail: `person${n}@synthetic.example`, userPrincipalName: `person${n}@synthetic.example`, jobTitle: 'Synthetic', department: 'Synthetic',
    officeLocation: null, companyName: null, businessPhones: [], mobilePhone: null, city: null, country: null, hasPhoto: false,
  };
}
