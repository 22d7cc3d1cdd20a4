import { ConfidentialClientApplication, InteractionRequiredAuthError, PublicClientApplication, type AuthenticationResult } from '@azure/msal-node';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningKeys } from '../../src/dev-tenant/signing-keys.js';
import { TokenService } from '../../src/dev-tenant/tokens.js';
import { jsonBody } from '../helpers/http.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, startTestDevTenant, TEAMS_WEB_CLIENT_ID, TEST_APP, TEST_PASSWORD, type RunningDevTenant } from '../helpers/dev-tenant.js';

const GRAPH_SCOPES = ['https://graph.microsoft.com/User.Read.All', 'https://graph.microsoft.com/GroupMember.Read.All'];
const API_SCOPE = `${TEST_APP.identifierUri}/access_as_user`;

/**
 * The identity half of the dev tenant driven by the real msal-node: Teams-style SSO tokens (ROPC as
 * the Teams client stands in for getAuthToken), on-behalf-of to Graph, and every documented error.
 */
describe('dev tenant identity through msal-node', () => {
  let dev: RunningDevTenant;
  const teams = (tenant: string) =>
    new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: dev.authority(tenant), knownAuthorities: [dev.host] } });
  const switchboard = (tenant: string) =>
    new ConfidentialClientApplication({ auth: { clientId: TEST_APP.clientId, clientSecret: TEST_APP.clientSecret, authority: dev.authority(tenant), knownAuthorities: [dev.host] } });
  const ssoToken = async (tenant: string, username: string): Promise<string> =>
    (await teams(tenant).acquireTokenByUsernamePassword({ scopes: [API_SCOPE], username, password: TEST_PASSWORD }))!.accessToken;

  beforeAll(async () => {
    dev = await startTestDevTenant();
  });
  afterAll(async () => dev.stop());

  it('serves per-tenant OpenID configuration with the tenant in the issuer, by id or by domain', async () => {
    const byId = await jsonBody(await fetch(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/v2.0/.well-known/openid-configuration`));
    expect(byId.issuer).toBe(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/v2.0`);
    expect(byId.token_endpoint).toBe(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`);
    expect(byId.jwks_uri).toBe(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/discovery/v2.0/keys`);
    const byDomain = await jsonBody(await fetch(`${dev.baseUrl}/contoso.example/v2.0/.well-known/openid-configuration`));
    expect(byDomain.issuer).toBe(byId.issuer);
    const common = await jsonBody(await fetch(`${dev.baseUrl}/common/v2.0/.well-known/openid-configuration`));
    expect(common.issuer).toBe(`${dev.baseUrl}/{tenantid}/v2.0`);
  });

  it('answers an unknown tenant with AADSTS90002 in Entra\'s error shape', async () => {
    const res = await fetch(`${dev.baseUrl}/no-such-tenant.example/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(400);
    const body = await jsonBody(res);
    expect(body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    expect(body.error_description).toMatch(/^AADSTS90002: .*Trace ID: .*Correlation ID: .*Timestamp: /);
    expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('issues a v2 access token for the app API to a pre-authorized Teams client without consent', async () => {
    const token = await ssoToken(CONTOSO_TENANT_ID, 'amelia.hart@contoso.example');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: TEST_APP.clientId,
      iss: `${dev.baseUrl}/${CONTOSO_TENANT_ID}/v2.0`,
      tid: CONTOSO_TENANT_ID,
      azp: TEAMS_WEB_CLIENT_ID,
      azpacr: '0',
      scp: 'access_as_user',
      ver: '2.0',
      name: 'Amelia Hart',
      preferred_username: 'amelia.hart@contoso.example',
    });
    expect(claims.oid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp! - claims.iat!).toBe(3600);
    // Verifiable through the published keys, as the Switchboard server will do.
    const jwks = createRemoteJWKSet(new URL(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/discovery/v2.0/keys`));
    await expect(jwtVerify(token, jwks, { issuer: claims.iss!, audience: TEST_APP.clientId })).resolves.toBeTruthy();
  });

  it('puts the admin app role and the Global Administrator directory role (wids) in the admin\'s token', async () => {
    const claims = decodeJwt(await ssoToken(CONTOSO_TENANT_ID, 'ethan.walker@contoso.example'));
    expect(claims.roles).toEqual(['Switchboard.Admin']);
    expect(claims.wids).toEqual(['62e90394-69f5-4237-9190-012177145e10']);
  });

  it('refuses a wrong password with AADSTS50126 and a disabled account with AADSTS50057', async () => {
    await expect(teams(CONTOSO_TENANT_ID).acquireTokenByUsernamePassword({ scopes: [API_SCOPE], username: 'amelia.hart@contoso.example', password: 'nope' })).rejects.toThrow(/AADSTS50126/);
    await expect(teams(CONTOSO_TENANT_ID).acquireTokenByUsernamePassword({ scopes: [API_SCOPE], username: 'pat.former@contoso.example', password: TEST_PASSWORD })).rejects.toThrow(/AADSTS50057/);
  });

  it('exchanges the SSO token on behalf of the user for a Graph token carrying the consented scopes', async () => {
    const result = (await switchboard(CONTOSO_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: await ssoToken(CONTOSO_TENANT_ID, 'amelia.hart@contoso.example'), scopes: GRAPH_SCOPES })) as AuthenticationResult;
    const claims = decodeJwt(result.accessToken);
    // Graph tokens are v1.0-shaped whatever endpoint issued them.
    expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${CONTOSO_TENANT_ID}/`, ver: '1.0', appid: TEST_APP.clientId, tid: CONTOSO_TENANT_ID });
    expect(String(claims.scp).split(' ').sort()).toEqual(['GroupMember.Read.All', 'User.Read.All']);
    const viaDevGraph = await dev.tokens.verifyGraphAccessToken(result.accessToken);
    expect(viaDevGraph.scopes.sort()).toEqual(['GroupMember.Read.All', 'User.Read.All']);
  });

  it('OBO with .default returns every consented Graph permission', async () => {
    const result = (await switchboard(CONTOSO_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: await ssoToken(CONTOSO_TENANT_ID, 'grace.kim@contoso.example'), scopes: ['https://graph.microsoft.com/.default'] }))!;
    expect(String(decodeJwt(result.accessToken).scp).split(' ').sort()).toEqual(['GroupMember.Read.All', 'User.Read', 'User.Read.All']);
  });

  it('OBO in a tenant without consent fails with invalid_grant, AADSTS65001, suberror consent_required', async () => {
    const assertion = await ssoToken(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example');
    const err = await switchboard(FABRIKAM_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: GRAPH_SCOPES }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InteractionRequiredAuthError);
    expect((err as InteractionRequiredAuthError).errorCode).toBe('invalid_grant');
    expect((err as InteractionRequiredAuthError).subError).toBe('consent_required');
    expect((err as Error).message).toMatch(/AADSTS65001/);
  });

  it('OBO for a user under a conditional-access policy fails with AADSTS50076 and a claims challenge', async () => {
    const user = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('liam.novak@contoso.example')!;
    const assertion = await ssoToken(CONTOSO_TENANT_ID, user.userPrincipalName);
    const res = await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${user.id}/mfa-required`, { method: 'PUT' });
    expect(res.status).toBe(204);
    try {
      const err = await switchboard(CONTOSO_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: GRAPH_SCOPES }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InteractionRequiredAuthError);
      expect((err as Error).message).toMatch(/AADSTS50076/);
      expect(JSON.parse((err as InteractionRequiredAuthError).claims)).toHaveProperty('access_token.capolids');
    } finally {
      await fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${user.id}/mfa-required`, { method: 'DELETE' });
    }
  });

  it('OBO with an expired assertion fails with AADSTS500133', async () => {
    const tenant = dev.registry.findTenant(CONTOSO_TENANT_ID)!;
    const past = new TokenService(dev.keys, dev.baseUrl, () => Date.now() - 2 * 3600_000);
    const expired = await past.appAccessToken({ tenant, user: tenant.directory.getUser('amelia.hart@contoso.example')!, client: dev.registry.apps.get(TEAMS_WEB_CLIENT_ID)!, resource: dev.registry.apps.get(TEST_APP.clientId)!, scopes: ['access_as_user'], roles: [] });
    await expect(switchboard(CONTOSO_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: expired, scopes: GRAPH_SCOPES })).rejects.toThrow(/AADSTS500133/);
  });

  it('OBO with an assertion signed by an unknown key fails with AADSTS50013', async () => {
    const tenant = dev.registry.findTenant(CONTOSO_TENANT_ID)!;
    const forger = new TokenService(await SigningKeys.create(), dev.baseUrl);
    const forged = await forger.appAccessToken({ tenant, user: tenant.directory.getUser('amelia.hart@contoso.example')!, client: dev.registry.apps.get(TEAMS_WEB_CLIENT_ID)!, resource: dev.registry.apps.get(TEST_APP.clientId)!, scopes: ['access_as_user'], roles: [] });
    await expect(switchboard(CONTOSO_TENANT_ID).acquireTokenOnBehalfOf({ oboAssertion: forged, scopes: GRAPH_SCOPES })).rejects.toThrow(/AADSTS50013/);
  });

  it('refuses a wrong client secret with 401 invalid_client AADSTS7000215', async () => {
    const res = await fetch(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: TEST_APP.clientId, client_secret: 'wrong', scope: 'https://graph.microsoft.com/.default' }),
    });
    expect(res.status).toBe(401);
    expect(await jsonBody(res)).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
  });

  it('client credentials give an app-only Graph token without roles, since Switchboard declares no application permissions', async () => {
    const result = (await switchboard(CONTOSO_TENANT_ID).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }))!;
    const claims = decodeJwt(result.accessToken);
    expect(claims.roles).toBeUndefined();
    expect(claims.oid).toBeUndefined();
    expect(claims.appid).toBe(TEST_APP.clientId);
  });

  it('client credentials need the /.default scope (AADSTS1002012)', async () => {
    await expect(switchboard(CONTOSO_TENANT_ID).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/User.Read.All'] })).rejects.toThrow(/AADSTS1002012/);
  });

  it('refuses scopes of two resources in one request (AADSTS28000)', async () => {
    await expect(teams(CONTOSO_TENANT_ID).acquireTokenByUsernamePassword({ scopes: [API_SCOPE, 'https://graph.microsoft.com/User.Read'], username: 'amelia.hart@contoso.example', password: TEST_PASSWORD })).rejects.toThrow(/AADSTS28000/);
  });

  it('refreshes silently with the refresh token from offline_access, and rotates it', async () => {
    const app = switchboard(CONTOSO_TENANT_ID);
    const first = (await app.acquireTokenOnBehalfOf({ oboAssertion: await ssoToken(CONTOSO_TENANT_ID, 'yuki.tanaka@contoso.example'), scopes: GRAPH_SCOPES }))!;
    const cache = JSON.parse(app.getTokenCache().serialize());
    expect(Object.keys(cache.RefreshToken)).toHaveLength(1);
    const refreshed = (await app.acquireTokenSilent({ account: first.account!, scopes: GRAPH_SCOPES, forceRefresh: true }))!;
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(decodeJwt(refreshed.accessToken).oid).toBe(decodeJwt(first.accessToken).oid);
  });

  it('publishes a new signing key on rollover and keeps the old one, so earlier tokens still verify', async () => {
    const before = await ssoToken(CONTOSO_TENANT_ID, 'amelia.hart@contoso.example');
    const rotated = await jsonBody(await fetch(`${dev.baseUrl}/_dev/keys/rotate`, { method: 'POST' }));
    const keys = await jsonBody(await fetch(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/discovery/v2.0/keys`));
    expect(keys.keys.map((k: { kid: string }) => k.kid)).toContain(rotated.kid);
    expect(keys.keys).toHaveLength(2);
    for (const k of keys.keys) expect(k).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB' });
    const after = await ssoToken(CONTOSO_TENANT_ID, 'amelia.hart@contoso.example');
    const jwks = createRemoteJWKSet(new URL(`${dev.baseUrl}/${CONTOSO_TENANT_ID}/discovery/v2.0/keys`));
    for (const token of [before, after]) await expect(jwtVerify(token, jwks, { audience: TEST_APP.clientId })).resolves.toBeTruthy();
  });
});
