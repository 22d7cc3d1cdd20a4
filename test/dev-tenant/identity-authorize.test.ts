import { createHash, randomBytes } from 'node:crypto';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MFA_CLAIMS } from '../../src/dev-tenant/identity/token-endpoint.js';
import { jsonBody } from '../helpers/http.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, startTestDevTenant, TEAMS_WEB_CLIENT_ID, TEST_APP, TEST_PASSWORD, type RunningDevTenant } from '../helpers/dev-tenant.js';

const WEB_REDIRECT = `${TEST_APP.appUrl}/auth/server-callback`;
const SPA_REDIRECT = `${TEST_APP.appUrl}/auth/callback`;

/** A browser, reduced to what the authorization code flow needs: cookies, forms and redirects. */
class Browser {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async get(url: string): Promise<Response> {
    return this.track(await fetch(url, { redirect: 'manual', headers: this.cookieHeader() }));
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    return this.track(await fetch(`${this.base}${path}`, { method: 'POST', redirect: 'manual', headers: { ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) }));
  }

  /** Submits the page's first form (its action and hidden fields) with extra fields. */
  async submit(page: string, extra: Record<string, string>): Promise<Response> {
    const action = decode(page.match(/<form method="post" action="([^"]+)"/)![1]!);
    const fields: Record<string, string> = {};
    const firstForm = page.slice(page.indexOf('<form'), page.indexOf('</form>'));
    for (const m of firstForm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[decode(m[1]!)] = decode(m[2]!);
    return this.post(action, { ...fields, ...extra });
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private track(res: Response): Response {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (v) this.cookies.set(k!, v);
      else this.cookies.delete(k!);
    }
    return res;
  }
}

function decode(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('dev tenant authorization code flow (RFC 6749 + PKCE RFC 7636, as Entra v2)', () => {
  let dev: RunningDevTenant;
  const authorizeUrl = (tenant: string, params: Record<string, string>) =>
    `${dev.baseUrl}/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: TEST_APP.clientId, response_type: 'code', state: 'st-1', ...params })}`;
  const switchboard = (tenant: string) =>
    new ConfidentialClientApplication({ auth: { clientId: TEST_APP.clientId, clientSecret: TEST_APP.clientSecret, authority: dev.authority(tenant), knownAuthorities: [dev.host] } });

  beforeAll(async () => {
    dev = await startTestDevTenant();
  });
  afterAll(async () => dev.stop());

  async function signIn(browser: Browser, tenant: string, username: string, params: Record<string, string>): Promise<Response> {
    const page = await browser.get(authorizeUrl(tenant, params));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(username);
    return browser.submit(html, { step: 'signin', username, password: TEST_PASSWORD });
  }

  it('signs in on the page listing the tenant\'s users and redirects back with a code and the state', async () => {
    const { verifier, challenge } = pkce();
    const res = await signIn(new Browser(dev.baseUrl), CONTOSO_TENANT_ID, 'amelia.hart@contoso.example', {
      redirect_uri: WEB_REDIRECT, scope: 'openid profile offline_access User.Read', code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n-1',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(WEB_REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-1');
    const code = location.searchParams.get('code')!;

    // msal-node binds the ID token to the nonce it was asked for (nonce_mismatch otherwise).
    const result = await switchboard(CONTOSO_TENANT_ID).acquireTokenByCode({ code, redirectUri: WEB_REDIRECT, scopes: ['User.Read'], codeVerifier: verifier, nonce: 'n-1' });
    expect(result.account?.username).toBe('amelia.hart@contoso.example');
    expect(result.idTokenClaims).toMatchObject({ aud: TEST_APP.clientId, nonce: 'n-1', tid: CONTOSO_TENANT_ID, ver: '2.0' });
    expect(decodeJwt(result.accessToken).scp).toBe('User.Read');

    // A code is single-use: the replay is refused with AADSTS54005.
    await expect(switchboard(CONTOSO_TENANT_ID).acquireTokenByCode({ code, redirectUri: WEB_REDIRECT, scopes: ['User.Read'], codeVerifier: verifier })).rejects.toThrow(/AADSTS54005/);
  });

  it('refuses a code redeemed with the wrong PKCE verifier (AADSTS501481)', async () => {
    const { challenge } = pkce();
    const res = await signIn(new Browser(dev.baseUrl), CONTOSO_TENANT_ID, 'amelia.hart@contoso.example', { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read', code_challenge: challenge, code_challenge_method: 'S256' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    await expect(switchboard(CONTOSO_TENANT_ID).acquireTokenByCode({ code, redirectUri: WEB_REDIRECT, scopes: ['User.Read'], codeVerifier: pkce().verifier })).rejects.toThrow(/AADSTS501481/);
  });

  it('shows an error page, never a redirect, for an unregistered redirect URI (AADSTS50011)', async () => {
    const res = await fetch(authorizeUrl(CONTOSO_TENANT_ID, { redirect_uri: 'https://evil.example/steal', scope: 'openid' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('AADSTS50011');
  });

  it('requires PKCE for a SPA redirect URI (AADSTS9002325), and a cross-origin redemption (AADSTS9002327)', async () => {
    const browser = new Browser(dev.baseUrl);
    const noPkce = await browser.get(authorizeUrl(CONTOSO_TENANT_ID, { redirect_uri: SPA_REDIRECT, scope: 'openid' }));
    expect(noPkce.status).toBe(302);
    expect(new URL(noPkce.headers.get('location')!).searchParams.get('error_description')).toMatch(/AADSTS9002325/);

    const { verifier, challenge } = pkce();
    const res = await signIn(browser, CONTOSO_TENANT_ID, 'amelia.hart@contoso.example', { redirect_uri: SPA_REDIRECT, scope: `${TEST_APP.identifierUri}/access_as_user openid offline_access`, code_challenge: challenge, code_challenge_method: 'S256', response_mode: 'fragment' });
    const fragment = new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1));
    const redeem = (headers: Record<string, string>) =>
      fetch(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
        method: 'POST', headers,
        body: new URLSearchParams({ client_id: TEST_APP.clientId, grant_type: 'authorization_code', code: fragment.get('code')!, redirect_uri: SPA_REDIRECT, code_verifier: verifier, scope: `${TEST_APP.identifierUri}/access_as_user openid offline_access` }),
      });
    const withoutOrigin = await redeem({});
    expect(await jsonBody(withoutOrigin)).toMatchObject({ error_codes: [9002327] });
  });

  it('redeems a SPA code cross-origin with CORS, and gives a refresh token that lives 24 hours', async () => {
    const { verifier, challenge } = pkce();
    const res = await signIn(new Browser(dev.baseUrl), CONTOSO_TENANT_ID, 'amelia.hart@contoso.example', { redirect_uri: SPA_REDIRECT, scope: `${TEST_APP.identifierUri}/access_as_user openid offline_access`, code_challenge: challenge, code_challenge_method: 'S256' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const token = await fetch(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST', headers: { origin: TEST_APP.appUrl },
      body: new URLSearchParams({ client_id: TEST_APP.clientId, grant_type: 'authorization_code', code, redirect_uri: SPA_REDIRECT, code_verifier: verifier, scope: `${TEST_APP.identifierUri}/access_as_user openid offline_access`, client_info: '1' }),
    });
    expect(token.headers.get('access-control-allow-origin')).toBe(TEST_APP.appUrl);
    const body = await jsonBody(token);
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: TEST_APP.clientId, azp: TEST_APP.clientId, scp: 'access_as_user' });
    expect(body.refresh_token_expires_in).toBeGreaterThan(86_000);
    expect(body.refresh_token_expires_in).toBeLessThanOrEqual(86_400);
    expect(JSON.parse(Buffer.from(body.client_info, 'base64url').toString())).toMatchObject({ utid: CONTOSO_TENANT_ID });
  });

  it('signs in silently with prompt=none once there is a session, and answers login_required without one', async () => {
    const browser = new Browser(dev.baseUrl);
    const params = { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read', prompt: 'none' };
    const none = await browser.get(authorizeUrl(CONTOSO_TENANT_ID, params));
    expect(new URL(none.headers.get('location')!).searchParams.get('error')).toBe('login_required');
    await signIn(browser, CONTOSO_TENANT_ID, 'grace.kim@contoso.example', { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read' });
    const silent = await browser.get(authorizeUrl(CONTOSO_TENANT_ID, params));
    expect(new URL(silent.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('answers with form_post when asked, as an auto-submitting form to the redirect URI', async () => {
    const res = await signIn(new Browser(dev.baseUrl), CONTOSO_TENANT_ID, 'grace.kim@contoso.example', { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read', response_mode: 'form_post' });
    const html = await res.text();
    expect(html).toContain(`action="${WEB_REDIRECT}"`);
    expect(html).toMatch(/name="code" value="[^"]+"/);
    expect(html).toContain('name="state" value="st-1"');
  });

  it('shows "Need admin approval" to a non-admin when the app needs admin-only permissions in a tenant without consent', async () => {
    const page = await (await signIn(new Browser(dev.baseUrl), FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example', { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read.All' })).text();
    expect(page).toContain('Need admin approval');
    const back = new URL(decode(page.match(/href="([^"]+)" id="return"/)![1]!));
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toMatch(/AADSTS90094/);
  });

  it('lets an admin consent for the organisation on the consent page, after which other users\' OBO works', async () => {
    const assertion = async () =>
      (await new (await import('@azure/msal-node')).PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: dev.authority(FABRIKAM_TENANT_ID), knownAuthorities: [dev.host] } })
        .acquireTokenByUsernamePassword({ scopes: [`${TEST_APP.identifierUri}/access_as_user`], username: 'elena.petrova@fabrikam.example', password: TEST_PASSWORD }))!.accessToken;
    await expect(switchboard(FABRIKAM_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: await assertion(), scopes: ['https://graph.microsoft.com/User.Read.All'] })).rejects.toThrow(/AADSTS65001/);

    const browser = new Browser(dev.baseUrl);
    const consent = await (await signIn(browser, FABRIKAM_TENANT_ID, 'nora.lindqvist@fabrikam.example', { redirect_uri: WEB_REDIRECT, scope: 'openid profile offline_access User.Read User.Read.All GroupMember.Read.All' })).text();
    expect(consent).toContain('Permissions requested');
    expect(consent).toContain('Consent on behalf of your organization');
    const res = await browser.submit(consent, { decision: 'accept', for_org: 'true' });
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();

    const obo = await switchboard(FABRIKAM_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: await assertion(), scopes: ['https://graph.microsoft.com/User.Read.All'] });
    expect(decodeJwt(obo!.accessToken).tid).toBe(FABRIKAM_TENANT_ID);
    const tenants = await jsonBody(await fetch(`${dev.baseUrl}/_dev/tenants?users=false`));
    const fabrikam = tenants.tenants.find((t: { id: string }) => t.id === FABRIKAM_TENANT_ID);
    expect(fabrikam.apps[0].consent.adminConsented).toBe(true);
  });

  it('grants admin consent through the /adminconsent endpoint and redirects with admin_consent=True', async () => {
    await fetch(`${dev.baseUrl}/_dev/tenants/${FABRIKAM_TENANT_ID}/consent/${TEST_APP.clientId}`, { method: 'DELETE' });
    const browser = new Browser(dev.baseUrl);
    const url = `${dev.baseUrl}/${FABRIKAM_TENANT_ID}/v2.0/adminconsent?${new URLSearchParams({ client_id: TEST_APP.clientId, redirect_uri: WEB_REDIRECT, state: 'ac-1', scope: `${TEST_APP.clientId}/.default` })}`;
    const signInPage = await (await browser.get(url)).text();
    const consentPage = await (await browser.submit(signInPage, { step: 'signin', username: 'nora.lindqvist@fabrikam.example', password: TEST_PASSWORD })).text();
    expect(consentPage).toContain('User.Read.All (Microsoft Graph)');
    const res = await browser.submit(consentPage, { decision: 'accept' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('admin_consent')).toBe('True');
    expect(location.searchParams.get('tenant')).toBe(FABRIKAM_TENANT_ID);
    expect(location.searchParams.get('state')).toBe('ac-1');
    const granted = (await jsonBody(await fetch(`${dev.baseUrl}/_dev/tenants?users=false`))).tenants.find((t: { id: string }) => t.id === FABRIKAM_TENANT_ID).apps[0].consent.granted;
    expect(granted.sort()).toEqual(['GroupMember.Read.All', 'User.Read', 'User.Read.All', 'offline_access', 'openid', 'profile', `${TEST_APP.clientId}/access_as_user`].sort());
  });
  describe('claims requests: MFA only when the claims ask for the step-up the dev tenant challenges with', () => {
    /** What msal-browser v5 sends with every request: optional ID token claims, plus client capabilities when configured. */
    const MSAL_BROWSER_CLAIMS = JSON.stringify({
      id_token: { signin_state: { essential: false }, login_hint: { essential: false }, tenant_region_sub_scope: { essential: false } },
      access_token: { xms_cc: { values: ['CP1'] } },
    });

    /** The sign-in page for `claims`, then a sign-in without approving the MFA prompt. */
    async function signInWithClaims(browser: Browser, username: string, claims: string, extra: Record<string, string> = {}) {
      const { verifier, challenge } = pkce();
      const res = await signIn(browser, CONTOSO_TENANT_ID, username, { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read', code_challenge: challenge, code_challenge_method: 'S256', claims, ...extra });
      return { res, verifier };
    }

    const amrOf = async (code: string, verifier: string) =>
      decodeJwt((await switchboard(CONTOSO_TENANT_ID).acquireTokenByCode({ code, redirectUri: WEB_REDIRECT, scopes: ['User.Read'], codeVerifier: verifier })).accessToken).amr;

    it('signs in without a second factor when the claims only ask for optional ID token claims and announce client capabilities', async () => {
      const { res, verifier } = await signInWithClaims(new Browser(dev.baseUrl), 'amelia.hart@contoso.example', MSAL_BROWSER_CLAIMS);
      expect(res.status).toBe(302);
      const code = new URL(res.headers.get('location')!).searchParams.get('code');
      expect(code).toBeTruthy();
      expect(await amrOf(code!, verifier)).toEqual(['pwd']);
    });

    it('asks for the second factor when the claims carry its own AADSTS50076 challenge, and the token then says mfa', async () => {
      const browser = new Browser(dev.baseUrl);
      // A session without MFA first: the challenge must not be satisfied by it.
      await signIn(browser, CONTOSO_TENANT_ID, 'amelia.hart@contoso.example', { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read' });
      const { challenge, verifier } = pkce();
      const params = { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read', code_challenge: challenge, code_challenge_method: 'S256', claims: MFA_CLAIMS };
      const silent = await browser.get(authorizeUrl(CONTOSO_TENANT_ID, { ...params, prompt: 'none' }));
      const refusal = new URL(silent.headers.get('location')!).searchParams;
      expect(refusal.get('error')).toBe('interaction_required');
      expect(refusal.get('error_description')).toMatch(/AADSTS50076/);

      const page = await browser.get(authorizeUrl(CONTOSO_TENANT_ID, params));
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Approve the multi-factor sign-in request');
      const res = await browser.submit(html, { step: 'signin', username: 'amelia.hart@contoso.example', password: TEST_PASSWORD, mfa: 'approved' });
      const code = new URL(res.headers.get('location')!).searchParams.get('code');
      expect(code).toBeTruthy();
      expect(await amrOf(code!, verifier)).toEqual(['pwd', 'mfa']);
    });

    it.each([
      ['an authentication context (acrs)', { access_token: { acrs: { essential: true, value: 'c1' } } }],
      ['amr "mfa" in the ID token', { id_token: { amr: { essential: true, values: ['mfa'] } } }],
    ])('treats %s as a request for MFA', async (_name, claims) => {
      const { res } = await signInWithClaims(new Browser(dev.baseUrl), 'amelia.hart@contoso.example', JSON.stringify(claims));
      // Signed in with the password only: the page comes back asking for the second factor.
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Approve the multi-factor sign-in request');
    });

    it('does not take another conditional-access policy id for its MFA challenge', async () => {
      const other = JSON.stringify({ access_token: { capolids: { essential: true, values: ['11111111-1111-1111-1111-111111111111'] } } });
      const { res } = await signInWithClaims(new Browser(dev.baseUrl), 'amelia.hart@contoso.example', other);
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    });

    it('sends a claims parameter that is not a JSON object back as invalid_request (AADSTS90100)', async () => {
      for (const claims of ['{not json', '["access_token"]']) {
        const res = await new Browser(dev.baseUrl).get(authorizeUrl(CONTOSO_TENANT_ID, { redirect_uri: WEB_REDIRECT, scope: 'openid User.Read', claims }));
        expect(res.status, claims).toBe(302);
        const back = new URL(res.headers.get('location')!).searchParams;
        expect(back.get('error'), claims).toBe('invalid_request');
        expect(back.get('error_description'), claims).toMatch(/AADSTS90100/);
      }
    });
  });

  it('lists and grants the app\'s declared permissions for a consent prompt on Graph\'s .default, after which OBO works for that user', async () => {
    await fetch(`${dev.baseUrl}/_dev/tenants/${FABRIKAM_TENANT_ID}/consent/${TEST_APP.clientId}`, { method: 'DELETE' });
    const assertion = async (username: string) =>
      (await new (await import('@azure/msal-node')).PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: dev.authority(FABRIKAM_TENANT_ID), knownAuthorities: [dev.host] } })
        .acquireTokenByUsernamePassword({ scopes: [`${TEST_APP.identifierUri}/access_as_user`], username, password: TEST_PASSWORD }))!.accessToken;
    const obo = async (username: string) => switchboard(FABRIKAM_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: await assertion(username), scopes: ['https://graph.microsoft.com/User.Read.All'] });
    await expect(obo('nora.lindqvist@fabrikam.example')).rejects.toThrow(/AADSTS65001/);

    // As msal-browser asks in the tab's consent pop-up: Graph's .default with prompt=consent.
    const browser = new Browser(dev.baseUrl);
    const { verifier, challenge } = pkce();
    const scope = 'https://graph.microsoft.com/.default openid profile offline_access';
    const consent = await (await signIn(browser, FABRIKAM_TENANT_ID, 'nora.lindqvist@fabrikam.example', { redirect_uri: WEB_REDIRECT, scope, prompt: 'consent', code_challenge: challenge, code_challenge_method: 'S256' })).text();
    expect(consent).toContain('Permissions requested');
    expect(consent).toContain('User.Read.All (Microsoft Graph)');
    expect(consent).toContain('GroupMember.Read.All (Microsoft Graph)');
    expect(consent.match(/<ul>.*?<\/ul>/s)![0]).not.toContain('.default');
    const res = await browser.submit(consent, { decision: 'accept' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    expect(code).toBeTruthy();
    const token = await switchboard(FABRIKAM_TENANT_ID).acquireTokenByCode({ code, redirectUri: WEB_REDIRECT, scopes: ['https://graph.microsoft.com/.default'], codeVerifier: verifier });
    expect(String(decodeJwt(token.accessToken).scp).split(' ')).toEqual(expect.arrayContaining(['User.Read.All', 'GroupMember.Read.All']));

    // Nora consented for herself only: her OBO works, a colleague's still needs consent.
    expect(decodeJwt((await obo('nora.lindqvist@fabrikam.example'))!.accessToken).tid).toBe(FABRIKAM_TENANT_ID);
    await expect(obo('kofi.mensah@fabrikam.example')).rejects.toThrow(/AADSTS65001/);
  });
});
