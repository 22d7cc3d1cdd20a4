import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TabTokenValidator, TokenRejected } from '../../../src/server/auth/tab-token-validator.js';

const AUTHORITY = 'https://login.example.test';
const CLIENT_ID = '5b0a4d00-0000-4000-8000-000000000002';
const TENANT = '8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33';
const OTHER_TENANT = '3d2e1f0a-7b6c-4d5e-8a9b-0c1d2e3f4a5b';
const USER = 'c0000001-5eed-4000-8000-000000000001';

/**
 * One case per way a tab token can be wrong (Microsoft's token validation guidance: signature,
 * issuer of the token's tenant, audience, lifetime, version, scope), as teams.ts tests its validator.
 */
describe('TabTokenValidator', () => {
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let publicPem: string;
  let validator: TabTokenValidator;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    publicPem = JSON.stringify(jwk);
    validator = new TabTokenValidator({ authorityHost: AUTHORITY, clientId: CLIENT_ID, keys: createLocalJWKSet({ keys: [jwk] }) });
  });

  const claims = (over: JWTPayload = {}): JWTPayload => ({
    aud: CLIENT_ID, iss: `${AUTHORITY}/${TENANT}/v2.0`, tid: TENANT, oid: USER, scp: 'access_as_user', ver: '2.0',
    name: 'Amelia Hart', preferred_username: 'amelia.hart@contoso.example', iat: now(), nbf: now(), exp: now() + 3600, ...over,
  });
  const sign = (payload: JWTPayload, signingKey: CryptoKey = key, kid = 'k1') => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(signingKey);
  const rejected = async (token: string) => {
    const err = await validator.validate(token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRejected);
    return (err as TokenRejected).reason;
  };

  it('accepts a v2 token for this app, from its tenant, with access_as_user, and takes tenant and user from it', async () => {
    const caller = await validator.validate(await sign(claims()));
    expect(caller).toMatchObject({ tenantId: TENANT, userId: USER, name: 'Amelia Hart', isAdmin: false });
  });

  it('recognises administrators by the Switchboard.Admin app role or Global/Teams Administrator in wids', async () => {
    expect((await validator.validate(await sign(claims({ roles: ['Switchboard.Admin'] })))).isAdmin).toBe(true);
    expect((await validator.validate(await sign(claims({ wids: ['69091246-20e8-4a56-aa4d-066075b2a7a8'] })))).isAdmin).toBe(true);
    expect((await validator.validate(await sign(claims({ wids: ['fe930be7-5e62-47db-91af-98c3a49a38b1'] })))).isAdmin).toBe(false);
  });

  it('refuses alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims())).toString('base64url');
    expect(await rejected(`${header}.${body}.`)).toBe('signature');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode(publicPem));
    expect(await rejected(token)).toBe('signature');
  });

  it('refuses an unknown kid', async () => {
    expect(await rejected(await sign(claims(), key, 'unknown'))).toBe('signature');
  });

  it('refuses a bad signature (another key under the same kid)', async () => {
    expect(await rejected(await sign(claims(), otherKey))).toBe('signature');
  });

  it('refuses a wrong audience, and a token for another app', async () => {
    expect(await rejected(await sign(claims({ aud: 'https://graph.microsoft.com' })))).toBe('audience');
    expect(await rejected(await sign(claims({ aud: '00000000-0000-0000-0000-000000000abc' })))).toBe('audience');
  });

  it('refuses a wrong issuer, and the issuer of another tenant than the token names', async () => {
    expect(await rejected(await sign(claims({ iss: 'https://evil.example/' })))).toBe('issuer');
    expect(await rejected(await sign(claims({ iss: `${AUTHORITY}/${OTHER_TENANT}/v2.0` })))).toBe('issuer');
  });

  it('refuses an expired token and one not yet valid', async () => {
    expect(await rejected(await sign(claims({ exp: now() - 3600, iat: now() - 7200, nbf: now() - 7200 })))).toBe('expired');
    expect(await rejected(await sign(claims({ nbf: now() + 3600 })))).toBe('not-yet-valid');
  });

  it('refuses a v1 token', async () => {
    expect(await rejected(await sign(claims({ ver: '1.0' })))).toBe('version');
  });

  it('refuses a token without the access_as_user scope (an app-only token has none)', async () => {
    expect(await rejected(await sign(claims({ scp: 'User.Read' })))).toBe('scope');
    const { scp: _scp, ...appOnly } = claims({ roles: ['Switchboard.Admin'] });
    expect(await rejected(await sign(appOnly))).toBe('scope');
  });

  it('refuses tokens without a tenant or user, and garbage', async () => {
    const { tid: _tid, ...noTenant } = claims();
    expect(await rejected(await sign(noTenant))).toBe('claims');
    const { oid: _oid, ...noUser } = claims();
    expect(await rejected(await sign(noUser))).toBe('claims');
    expect(await rejected('not.a.jwt')).toBe('malformed');
  });
});
