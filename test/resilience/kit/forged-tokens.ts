import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { TEAMS_WEB_CLIENT_ID, TEST_APP, type RunningDevTenant } from '../../helpers/dev-tenant.js';

export interface ForgedToken {
  /** What is wrong with it, as the report lists it. */
  name: string;
  token: string;
}

/** A JWS signed by hand (RS256), for headers jose refuses to produce (unknown `crit` extensions). */
async function rawSign(header: Record<string, unknown>, payload: JWTPayload, key: CryptoKey): Promise<string> {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * Tokens an attacker (or a confused client) could present to the tab API, each wrong in one way and
 * otherwise exactly what Teams SSO issues — for an administrator, so that a token accepted by mistake
 * would open every route. Signed with the dev tenant's real private key unless the point is the
 * signature, so each is refused for its own defect only; `valid()` builds the same claims correctly,
 * and the suite checks that it is accepted, which proves the forgeries are otherwise sound.
 */
export class TokenForge {
  private constructor(
    private readonly dev: RunningDevTenant,
    private readonly attackerKey: CryptoKey,
    private readonly attackerJwk: JWK,
    private readonly publishedJwks: { keys: (JWK & { kid: string })[] },
  ) {}

  static async create(dev: RunningDevTenant): Promise<TokenForge> {
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const jwks = (await (await fetch(`${dev.baseUrl}/common/discovery/v2.0/keys`)).json()) as { keys: (JWK & { kid: string })[] };
    return new TokenForge(dev, attacker.privateKey, await exportJWK(attacker.publicKey), jwks);
  }

  /** The claims of a v2 access token for Switchboard as the dev tenant issues one, for this user. */
  claims(tenantId: string, upn: string, over: JWTPayload = {}): JWTPayload {
    const tenant = this.dev.registry.findTenant(tenantId)!;
    const user = tenant.directory.getUser(upn)!;
    const now = Math.floor(Date.now() / 1000);
    return {
      aud: TEST_APP.clientId, iss: this.dev.tokens.issuer(tenant.id), tid: tenant.id, azp: TEAMS_WEB_CLIENT_ID, azpacr: '0', ver: '2.0',
      oid: user.id, sub: `forged-${user.id}`, name: user.displayName, preferred_username: user.userPrincipalName,
      scp: 'access_as_user', roles: ['Switchboard.Admin'], wids: ['62e90394-69f5-4237-9190-012177145e10'],
      iat: now, nbf: now, exp: now + 3600, ...over,
    };
  }

  private sign(payload: JWTPayload, header: Record<string, unknown> = {}, key: CryptoKey = this.dev.keys.current.privateKey): Promise<string> {
    // Claims set to undefined are left out of the token (JSON.stringify drops them).
    const clean = JSON.parse(JSON.stringify(payload)) as JWTPayload;
    return new SignJWT(clean).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.dev.keys.current.kid, ...header } as { alg: string }).sign(key);
  }

  /** Correct in every respect: the control case. */
  valid(tenantId: string, upn: string): Promise<string> {
    return this.sign(this.claims(tenantId, upn));
  }

  /**
   * Every forged or wrong token, for a user of `tenantId` (an administrator there), with
   * `otherTenantId` for the cross-tenant issuer cases and `realToken` (a genuine SSO token of a
   * non-administrator) for the tampering cases.
   */
  async all(tenantId: string, upn: string, otherTenantId: string, realToken: string): Promise<ForgedToken[]> {
    const c = (over: JWTPayload = {}) => this.claims(tenantId, upn, over);
    const now = Math.floor(Date.now() / 1000);
    const published = this.publishedJwks.keys;
    const current = published.find((k) => k.kid === this.dev.keys.current.kid)!;
    const otherPublished = published.find((k) => k.kid !== current.kid);
    const publicPem = await exportSPKI((await importJWK({ ...current, alg: 'RS256' }, 'RS256')) as CryptoKey);
    const hs256 = (secret: string) => new SignJWT(c()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: current.kid }).sign(new TextEncoder().encode(secret));
    const [realHeader, realPayload, realSignature] = realToken.split('.') as [string, string, string];
    const escalated = { ...(JSON.parse(Buffer.from(realPayload, 'base64url').toString()) as JWTPayload), roles: ['Switchboard.Admin'] };
    const es256 = await generateKeyPair('ES256');

    const tokens: ForgedToken[] = [
      { name: 'alg none, no signature', token: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(c())}.` },
      { name: 'alg none, with the kid of the real key', token: `${b64url({ alg: 'none', typ: 'JWT', kid: current.kid })}.${b64url(c())}.` },
      { name: 'HS256 signed with the RSA public key (PEM) as secret', token: await hs256(publicPem) },
      { name: 'HS256 signed with the published JWK as secret', token: await hs256(JSON.stringify(current)) },
      { name: 'ES256 signed with an attacker key under the real kid', token: await new SignJWT(c()).setProtectedHeader({ alg: 'ES256', kid: current.kid }).sign(es256.privateKey) },
      { name: 'unknown kid', token: await this.sign(c(), { kid: 'kid-that-was-never-published' }) },
      { name: 'attacker key under the real kid (bad signature)', token: await this.sign(c(), {}, this.attackerKey) },
      { name: 'attacker key with its public key embedded (jwk header)', token: await this.sign(c(), { kid: 'attacker', jwk: { ...this.attackerJwk } }, this.attackerKey) },
      { name: 'attacker key with a jku pointing at its own key set', token: await this.sign(c(), { kid: 'attacker', jku: 'http://127.0.0.1:9/keys.json' }, this.attackerKey) },
      { name: 'real token with claims edited (roles added), signature kept', token: `${realHeader}.${b64url(escalated)}.${realSignature}` },
      { name: 'real token with its signature cut off', token: `${realHeader}.${realPayload}.` },
      { name: 'unknown critical header', token: await rawSign({ alg: 'RS256', typ: 'JWT', kid: current.kid, crit: ['x-switchboard'], 'x-switchboard': true }, c(), this.dev.keys.current.privateKey) },
      { name: 'wrong audience (Microsoft Graph)', token: await this.sign(c({ aud: 'https://graph.microsoft.com' })) },
      { name: 'wrong audience (the identifier URI, v1 style)', token: await this.sign(c({ aud: TEST_APP.identifierUri })) },
      { name: 'token for another app (Teams web client id as audience)', token: await this.sign(c({ aud: TEAMS_WEB_CLIENT_ID })) },
      { name: 'token for another app (Graph token from the dev tenant)', token: await this.dev.syncGraphToken() },
      { name: 'wrong issuer (another host)', token: await this.sign(c({ iss: `https://login.evil.example/${tenantId}/v2.0` })) },
      { name: 'wrong issuer (real Microsoft authority, not the configured one)', token: await this.sign(c({ iss: `https://login.microsoftonline.com/${tenantId}/v2.0` })) },
      { name: 'issuer of another tenant (iss ≠ tid)', token: await this.sign(c({ iss: this.dev.tokens.issuer(otherTenantId) })) },
      { name: 'tid of another tenant under this tenant\'s issuer', token: await this.sign(c({ tid: otherTenantId })) },
      { name: 'no tid', token: await this.sign(c({ tid: undefined })) },
      { name: 'no oid', token: await this.sign(c({ oid: undefined })) },
      { name: 'expired (5 minutes ago)', token: await this.sign(c({ iat: now - 3900, nbf: now - 3900, exp: now - 300 })) },
      { name: 'not yet valid (nbf in an hour)', token: await this.sign(c({ nbf: now + 3600, exp: now + 7200 })) },
      { name: 'no exp', token: await this.sign(c({ exp: undefined })) },
      { name: 'v1 token (sts.windows.net issuer, identifier URI audience, ver 1.0)', token: await this.sign(c({ ver: '1.0', iss: this.dev.tokens.graphIssuer(tenantId), aud: TEST_APP.identifierUri, appid: TEAMS_WEB_CLIENT_ID, azp: undefined })) },
      { name: 'v1 token (ver 1.0, otherwise v2 claims)', token: await this.sign(c({ ver: '1.0' })) },
      { name: 'missing scp (app-only token with roles)', token: await this.sign(c({ scp: undefined })) },
      { name: 'wrong scp (User.Read)', token: await this.sign(c({ scp: 'User.Read' })) },
      { name: 'wrong scp (a scope that only contains the name)', token: await this.sign(c({ scp: 'xaccess_as_user access_as_user_admin' })) },
      { name: 'not a JWT', token: 'x.y.z' },
      { name: 'five-part token (JWE shape)', token: `${b64url({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d` },
      { name: '8 KB of base64url', token: 'A'.repeat(8 * 1024) },
    ];
    if (otherPublished) tokens.push({ name: 'kid of the other published key (rotated), signed with the current one', token: await this.sign(c(), { kid: otherPublished.kid }) });
    return tokens;
  }
}
