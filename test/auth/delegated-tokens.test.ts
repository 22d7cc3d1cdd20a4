import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PublicClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssertionInvalid, ClaimsChallenge, ConsentRequired, GrantLapsed, IdentityUnavailable } from '../../src/auth/auth-errors.js';
import { createDelegatedTokens, type DelegatedTokens, type TokenEvent } from '../../src/auth/delegated-tokens.js';
import { GRAPH_SCOPES } from '../../src/auth/graph-scopes.js';
import { partitionKeyFor } from '../../src/auth/token-cache.js';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import { SigningKeys } from '../../src/dev-tenant/signing-keys.js';
import { TokenService } from '../../src/dev-tenant/tokens.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { openStore, type Store } from '../../src/store/store.js';
import { TokenCacheRepository } from '../../src/store/token-cache-repository.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, startTestDevTenant, TEAMS_WEB_CLIENT_ID, TEST_APP, TEST_PASSWORD, type RunningDevTenant } from '../helpers/dev-tenant.js';
import { tempDir } from '../helpers/temp-dir.js';

const API_SCOPE = `${TEST_APP.identifierUri}/access_as_user`;
const AMELIA = 'amelia.hart@contoso.example';
const ETHAN = 'ethan.walker@contoso.example'; // Global Administrator and Switchboard.Admin
const GRACE = 'grace.kim@contoso.example';
const KOFI = 'kofi.mensah@fabrikam.example';
const NORA = 'nora.lindqvist@fabrikam.example';

/**
 * DelegatedTokens against the dev tenant with the real msal-node: on-behalf-of for tab requests,
 * background sync on a stored grant from the encrypted SQLite token cache, and every way it fails.
 */
describe('DelegatedTokens', () => {
  let dev: RunningDevTenant;
  let tmp: { dir: string; remove: () => void };
  let store: Store;
  let repo: TokenCacheRepository;
  let tokens: DelegatedTokens;
  let events: TokenEvent[];
  /** Requests the Switchboard app sent to a token endpoint, by grant type (msal-node sends through fetch). */
  let grants: string[];
  const realFetch = globalThis.fetch;
  const key = randomBytes(32);

  const newTokens = (authorityHost = dev.baseUrl) =>
    createDelegatedTokens({ settings: { clientId: TEST_APP.clientId, clientSecret: TEST_APP.clientSecret, authorityHost }, repository: repo, onToken: (e) => events.push(e) });
  const sso = async (tenant: string, username: string): Promise<string> => {
    const teams = new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: dev.authority(tenant), knownAuthorities: [dev.host] } });
    return (await teams.acquireTokenByUsernamePassword({ scopes: [API_SCOPE], username, password: TEST_PASSWORD }))!.accessToken;
  };
  const user = (tenant: string, upn: string) => dev.registry.findTenant(tenant)!.directory.getUser(upn)!;
  const devControl = (method: string, p: string, body?: unknown) =>
    realFetch(`${dev.baseUrl}/_dev${p}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  const homeAccountId = (tenant: string, upn: string) => `${user(tenant, upn).id}.${tenant}`;

  beforeAll(async () => {
    dev = await startTestDevTenant();
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.includes('/oauth2/v2.0/token')) {
        const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
        if (body.get('client_id') === TEST_APP.clientId) grants.push(body.get('grant_type') ?? '');
      }
      return realFetch(input, init);
    }) as typeof fetch;
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await dev.stop();
  });
  beforeEach(async () => {
    tmp = tempDir('delegated-tokens-');
    store = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'switchboard.db') });
    await store.migrate();
    await store.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
    await store.tenants.upsert(FABRIKAM_TENANT_ID, 'Fabrikam');
    repo = new TokenCacheRepository(store.db, new FieldCipher([key]));
    events = [];
    grants = [];
    tokens = newTokens();
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  describe('on behalf of a tab request', () => {
    it('exchanges the SSO token for a Graph token with the declared scopes, then serves the same assertion from msal\'s cache', async () => {
      const assertion = await sso(CONTOSO_TENANT_ID, AMELIA);
      const token = await tokens.forRequest(assertion, CONTOSO_TENANT_ID);
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', tid: CONTOSO_TENANT_ID, oid: user(CONTOSO_TENANT_ID, AMELIA).id, appid: TEST_APP.clientId });
      expect(String(claims.scp).split(' ').sort()).toEqual([...GRAPH_SCOPES].sort());
      expect(grants).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer']);

      expect(await tokens.forRequest(assertion, CONTOSO_TENANT_ID)).toBe(token);
      expect(grants).toHaveLength(1);
      expect(events.map((e) => e.fromCache)).toEqual([false, true]);
    });

    it('refuses a token of another tenant before asking Entra', async () => {
      const assertion = await sso(CONTOSO_TENANT_ID, AMELIA);
      const err = await tokens.forRequest(assertion, FABRIKAM_TENANT_ID).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AssertionInvalid);
      expect((err as AssertionInvalid).reason).toBe('wrong-tenant');
      expect(grants).toEqual([]);
    });

    it('consent_required (AADSTS65001) in a tenant without consent → ConsentRequired naming the admin-only scopes', async () => {
      const err = await tokens.forRequest(await sso(FABRIKAM_TENANT_ID, KOFI), FABRIKAM_TENANT_ID).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConsentRequired);
      expect(err).toMatchObject({ tenantId: FABRIKAM_TENANT_ID, scopes: GRAPH_SCOPES, adminConsentRequired: true, aadsts: 65001 });
      expect(await repo.partitionKeys(FABRIKAM_TENANT_ID)).toEqual([]);
    });

    it('a user under an MFA policy (AADSTS50076) → ClaimsChallenge with the claims to send back', async () => {
      const liam = user(CONTOSO_TENANT_ID, 'liam.novak@contoso.example');
      const assertion = await sso(CONTOSO_TENANT_ID, liam.userPrincipalName);
      await devControl('PUT', `/tenants/${CONTOSO_TENANT_ID}/users/${liam.id}/mfa-required`);
      try {
        const err = await tokens.forRequest(assertion, CONTOSO_TENANT_ID).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ClaimsChallenge);
        expect((err as ClaimsChallenge).aadsts).toBe(50076);
        expect(JSON.parse((err as ClaimsChallenge).claims)).toHaveProperty('access_token.capolids');
      } finally {
        await devControl('DELETE', `/tenants/${CONTOSO_TENANT_ID}/users/${liam.id}/mfa-required`);
      }
    });

    it('an expired assertion (AADSTS500133) → AssertionInvalid expired; a forged one (AADSTS50013) → bad-signature', async () => {
      const tenant = dev.registry.findTenant(CONTOSO_TENANT_ID)!;
      const subject = { tenant, user: user(CONTOSO_TENANT_ID, AMELIA), client: dev.registry.apps.get(TEAMS_WEB_CLIENT_ID)!, resource: dev.registry.apps.get(TEST_APP.clientId)!, scopes: ['access_as_user'], roles: [] };
      const expired = await new TokenService(dev.keys, dev.baseUrl, () => Date.now() - 2 * 3600_000).appAccessToken(subject);
      await expect(tokens.forRequest(expired, CONTOSO_TENANT_ID)).rejects.toMatchObject({ name: 'AssertionInvalid', reason: 'expired', aadsts: 500133 });
      const forged = await new TokenService(await SigningKeys.create(), dev.baseUrl).appAccessToken(subject);
      await expect(tokens.forRequest(forged, CONTOSO_TENANT_ID)).rejects.toMatchObject({ name: 'AssertionInvalid', reason: 'bad-signature', aadsts: 50013 });
      await expect(tokens.forRequest('not-a-jwt', CONTOSO_TENANT_ID)).rejects.toMatchObject({ name: 'AssertionInvalid', reason: 'malformed' });
    });

    it('Entra unreachable → IdentityUnavailable', async () => {
      const offline = newTokens('https://localhost:1');
      await expect(offline.forRequest(await sso(CONTOSO_TENANT_ID, AMELIA), CONTOSO_TENANT_ID)).rejects.toBeInstanceOf(IdentityUnavailable);
    });
  });

  describe('background sync on a stored grant', () => {
    it('records the first consented user\'s grant, prefers an administrator\'s, and keeps it against later non-admins', async () => {
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, AMELIA), CONTOSO_TENANT_ID);
      expect(await tokens.syncAccount(CONTOSO_TENANT_ID)).toMatchObject({ homeAccountId: homeAccountId(CONTOSO_TENANT_ID, AMELIA), name: 'Amelia Hart', isAdmin: false, lapse: null });
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, GRACE), CONTOSO_TENANT_ID);
      expect((await tokens.syncAccount(CONTOSO_TENANT_ID))?.name).toBe('Amelia Hart');
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, ETHAN), CONTOSO_TENANT_ID);
      expect(await tokens.syncAccount(CONTOSO_TENANT_ID)).toMatchObject({ homeAccountId: homeAccountId(CONTOSO_TENANT_ID, ETHAN), name: 'Ethan Walker', isAdmin: true });
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, AMELIA), CONTOSO_TENANT_ID);
      expect((await tokens.syncAccount(CONTOSO_TENANT_ID))?.name).toBe('Ethan Walker');
      expect(decodeJwt(await tokens.forSync(CONTOSO_TENANT_ID)).oid).toBe(user(CONTOSO_TENANT_ID, ETHAN).id);
    });

    it('survives a restart: a new client on the same store syncs from the persisted cache, refreshing without any on-behalf-of', async () => {
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, ETHAN), CONTOSO_TENANT_ID);
      grants = [];
      events = [];
      const restarted = newTokens();
      const cached = await restarted.forSync(CONTOSO_TENANT_ID);
      expect(events).toEqual([{ flow: 'silent', tenantId: CONTOSO_TENANT_ID, fromCache: true }]);
      expect(grants).toEqual([]);
      const refreshed = await restarted.forSync(CONTOSO_TENANT_ID, { forceRefresh: true });
      expect(refreshed).not.toBe(cached);
      expect(grants).toEqual(['refresh_token']);
      expect(decodeJwt(refreshed)).toMatchObject({ oid: user(CONTOSO_TENANT_ID, ETHAN).id, tid: CONTOSO_TENANT_ID });
      // The rotated refresh token was persisted: a third process can refresh again.
      const again = newTokens();
      await expect(again.forSync(CONTOSO_TENANT_ID, { forceRefresh: true })).resolves.toMatch(/^ey/);
      // And the sync token works against Graph through the Graph client.
      const graph = createGraphClient({ baseUrl: `${dev.baseUrl}/v1.0`, getToken: () => again.forSync(CONTOSO_TENANT_ID) });
      expect(((await graph.get<{ value: unknown[] }>('/users?$top=3')).value)).toHaveLength(3);
    });

    it('a sync refresh keeps other users\' on-behalf-of tokens cached in memory', async () => {
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, ETHAN), CONTOSO_TENANT_ID);
      const amelia = await sso(CONTOSO_TENANT_ID, AMELIA);
      const first = await tokens.forRequest(amelia, CONTOSO_TENANT_ID);
      grants = [];
      await tokens.forSync(CONTOSO_TENANT_ID, { forceRefresh: true });
      expect(grants).toEqual(['refresh_token']);
      expect(await tokens.forRequest(amelia, CONTOSO_TENANT_ID)).toBe(first);
      expect(grants).toEqual(['refresh_token']);
    });

    it('serves repeated sync calls from memory until near expiry', async () => {
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, ETHAN), CONTOSO_TENANT_ID);
      events = [];
      const [a, b] = await Promise.all([tokens.forSync(CONTOSO_TENANT_ID), tokens.forSync(CONTOSO_TENANT_ID)]);
      expect(await tokens.forSync(CONTOSO_TENANT_ID)).toBe(a);
      expect(b).toBe(a);
      expect(events).toHaveLength(1);
    });

    it('without any grant → GrantLapsed no-grant', async () => {
      const err = await tokens.forSync(CONTOSO_TENANT_ID).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GrantLapsed);
      expect(err).toMatchObject({ tenantId: CONTOSO_TENANT_ID, reason: 'no-grant', holder: undefined });
    });

    it('with the grant\'s tokens gone from the cache → GrantLapsed not-in-cache, recorded', async () => {
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, ETHAN), CONTOSO_TENANT_ID);
      await repo.deleteTenant(CONTOSO_TENANT_ID);
      await expect(newTokens().forSync(CONTOSO_TENANT_ID)).rejects.toMatchObject({ name: 'GrantLapsed', reason: 'not-in-cache', holder: { name: 'Ethan Walker' } });
      expect((await tokens.syncAccount(CONTOSO_TENANT_ID))?.lapse?.reason).toBe('not-in-cache');
    });

    it('when the grant holder is disabled → GrantLapsed account-disabled, recorded; any user\'s sign-in replaces the lapsed grant', async () => {
      const grace = user(CONTOSO_TENANT_ID, GRACE);
      await tokens.forRequest(await sso(CONTOSO_TENANT_ID, GRACE), CONTOSO_TENANT_ID);
      await devControl('PATCH', `/tenants/${CONTOSO_TENANT_ID}/users/${grace.id}`, { accountEnabled: false });
      try {
        const err = await tokens.forSync(CONTOSO_TENANT_ID, { forceRefresh: true }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GrantLapsed);
        expect(err).toMatchObject({ reason: 'account-disabled', aadsts: 50057, holder: { homeAccountId: homeAccountId(CONTOSO_TENANT_ID, GRACE), name: 'Grace Kim' } });
        expect((err as Error).message).toMatch(/Grace Kim/);
        expect((await tokens.syncAccount(CONTOSO_TENANT_ID))?.lapse).toMatchObject({ reason: 'account-disabled', aadsts: 50057 });
        // Sync stays lapsed (no cached token hides it) until someone signs in.
        await expect(tokens.forSync(CONTOSO_TENANT_ID)).rejects.toBeInstanceOf(GrantLapsed);
        await tokens.forRequest(await sso(CONTOSO_TENANT_ID, AMELIA), CONTOSO_TENANT_ID);
        expect(await tokens.syncAccount(CONTOSO_TENANT_ID)).toMatchObject({ name: 'Amelia Hart', lapse: null });
        expect(decodeJwt(await tokens.forSync(CONTOSO_TENANT_ID, { forceRefresh: true })).oid).toBe(user(CONTOSO_TENANT_ID, AMELIA).id);
      } finally {
        await devControl('PATCH', `/tenants/${CONTOSO_TENANT_ID}/users/${grace.id}`, { accountEnabled: true });
      }
    });
  });

  describe('partitions', () => {
    it('keeps each account of each tenant in its own partition under concurrent requests, and never crosses tenants', async () => {
      await devControl('POST', `/tenants/${FABRIKAM_TENANT_ID}/consent`, { clientId: TEST_APP.clientId });
      try {
        const logins = [[CONTOSO_TENANT_ID, AMELIA], [CONTOSO_TENANT_ID, ETHAN], [FABRIKAM_TENANT_ID, KOFI], [FABRIKAM_TENANT_ID, NORA]] as const;
        const assertions = await Promise.all(logins.map(([t, u]) => sso(t, u)));
        await Promise.all(logins.map(([t], i) => tokens.forRequest(assertions[i]!, t)));

        for (const tenant of [CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID]) {
          const expected = logins.filter(([t]) => t === tenant).map(([t, u]) => partitionKeyFor(t, homeAccountId(t, u)));
          expect(await repo.partitionKeys(tenant)).toEqual(expected.sort());
          for (const key of expected) {
            const partition = JSON.parse((await repo.get(key))!.data) as Record<string, Record<string, { home_account_id: string; realm?: string }>>;
            const entities = ['Account', 'IdToken', 'AccessToken', 'RefreshToken'].flatMap((s) => Object.values(partition[s] ?? {}));
            expect(entities.length).toBeGreaterThanOrEqual(4);
            for (const e of entities) {
              expect(`${tenant}/${e.home_account_id}`).toBe(key);
              if (e.realm) expect(e.realm).toBe(tenant);
            }
          }
        }
        // Sync in each tenant runs on that tenant's administrator, with that tenant's tokens.
        expect(decodeJwt(await tokens.forSync(FABRIKAM_TENANT_ID))).toMatchObject({ tid: FABRIKAM_TENANT_ID, oid: user(FABRIKAM_TENANT_ID, NORA).id });
        expect(decodeJwt(await tokens.forSync(CONTOSO_TENANT_ID))).toMatchObject({ tid: CONTOSO_TENANT_ID, oid: user(CONTOSO_TENANT_ID, ETHAN).id });

        expect(await repo.deleteTenant(CONTOSO_TENANT_ID)).toBe(2);
        expect(await repo.partitionKeys(CONTOSO_TENANT_ID)).toEqual([]);
        expect(await repo.partitionKeys(FABRIKAM_TENANT_ID)).toHaveLength(2);
      } finally {
        await devControl('DELETE', `/tenants/${FABRIKAM_TENANT_ID}/consent/${TEST_APP.clientId}`);
      }
    });

    it('writes no token and no name in plain text to the SQLite files', async () => {
      const access = await tokens.forRequest(await sso(CONTOSO_TENANT_ID, ETHAN), CONTOSO_TENANT_ID);
      const synced = await tokens.forSync(CONTOSO_TENANT_ID, { forceRefresh: true });
      const partition = JSON.parse((await repo.get(partitionKeyFor(CONTOSO_TENANT_ID, homeAccountId(CONTOSO_TENANT_ID, ETHAN))))!.data) as { RefreshToken: Record<string, { secret: string }> };
      const refresh = Object.values(partition.RefreshToken)[0]!.secret;
      expect(refresh.length).toBeGreaterThan(10);
      const files = fs.readdirSync(tmp.dir).filter((f) => f.startsWith('switchboard.db'));
      expect(files).toContain('switchboard.db');
      const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(tmp.dir, f))));
      for (const secret of [access, synced, refresh, access.split('.')[1]!, 'Ethan Walker', ETHAN]) expect(bytes.includes(secret)).toBe(false);
    });
  });
});
