import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { DevUser } from './directory.js';
import { GRAPH_APP_ID, GRAPH_RESOURCE, type DevApp, type DevTenant } from './registry.js';
import type { SigningKeys } from './signing-keys.js';

/** Lifetimes Entra uses by default: access and ID tokens 60–90 minutes; we take 60. */
export const ACCESS_TOKEN_SECONDS = 3600;

export interface TokenSubject {
  tenant: DevTenant;
  user?: DevUser;
  /** The app the token is issued to (azp / appid). */
  client: DevApp;
}

/** What the dev Graph learns from a validated Graph access token. */
export interface GraphCaller {
  tenantId: string;
  /** Absent for app-only (client credentials) tokens. */
  userId?: string;
  appId: string;
  scopes: string[];
  roles: string[];
}

export class TokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Issues and checks tokens shaped like Entra's: v2.0 access tokens for app APIs (aud = client id,
 * iss = {authority}/{tid}/v2.0), ID tokens, and Graph access tokens, which Entra always issues in the
 * v1.0 format (aud https://graph.microsoft.com, iss https://sts.windows.net/{tid}/).
 */
export class TokenService {
  constructor(
    private readonly keys: SigningKeys,
    /** e.g. https://localhost:53100 */
    readonly baseUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  issuer(tenantId: string): string {
    return `${this.baseUrl}/${tenantId}/v2.0`;
  }

  graphIssuer(tenantId: string): string {
    return `https://sts.windows.net/${tenantId}/`;
  }

  /** A pairwise subject: stable per user and app, different across apps (as Entra's `sub`). */
  private subject(userId: string, clientId: string): string {
    return createHash('sha256').update(`${userId}:${clientId}`).digest('base64url').slice(0, 43);
  }

  private async sign(payload: JWTPayload, lifetime = ACCESS_TOKEN_SECONDS, typ = 'JWT'): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const { kid, privateKey } = this.keys.current;
    return new SignJWT({ ...payload, iat, nbf: iat, exp: iat + lifetime })
      .setProtectedHeader({ alg: 'RS256', typ, kid })
      .sign(privateKey);
  }

  private userClaims(s: TokenSubject): Record<string, unknown> {
    if (!s.user) return {};
    return {
      oid: s.user.id,
      name: s.user.displayName,
      preferred_username: s.user.userPrincipalName,
      ...(s.user.directoryRoles.length > 0 ? { wids: s.user.directoryRoles } : {}),
    };
  }

  /** v2.0 access token for an app's own API (what Teams SSO and msal give the tab). */
  async appAccessToken(s: TokenSubject & { resource: DevApp; scopes: string[]; roles: string[]; amr?: string[] }): Promise<string> {
    return this.sign({
      aud: s.resource.clientId,
      iss: this.issuer(s.tenant.id),
      tid: s.tenant.id,
      azp: s.client.clientId,
      azpacr: s.client.clientSecret ? '1' : '0',
      ver: '2.0',
      uti: randomBytes(16).toString('base64url'),
      rh: randomBytes(12).toString('base64url'),
      sub: s.user ? this.subject(s.user.id, s.client.clientId) : s.client.clientId,
      ...this.userClaims(s),
      ...(s.scopes.length > 0 ? { scp: s.scopes.join(' ') } : {}),
      ...(s.roles.length > 0 ? { roles: s.roles } : {}),
      ...(s.amr ? { amr: s.amr } : {}),
    });
  }

  /** Graph access token, in the v1.0 shape Entra uses for Microsoft Graph. */
  async graphAccessToken(s: TokenSubject & { scopes: string[]; roles: string[]; amr?: string[] }): Promise<string> {
    return this.sign({
      aud: GRAPH_RESOURCE,
      iss: this.graphIssuer(s.tenant.id),
      tid: s.tenant.id,
      appid: s.client.clientId,
      appidacr: s.client.clientSecret ? '1' : '0',
      ver: '1.0',
      uti: randomBytes(16).toString('base64url'),
      sub: s.user ? this.subject(s.user.id, GRAPH_APP_ID) : s.client.clientId,
      ...(s.user ? { oid: s.user.id, upn: s.user.userPrincipalName, unique_name: s.user.userPrincipalName, name: s.user.displayName } : {}),
      ...(s.scopes.length > 0 ? { scp: s.scopes.join(' ') } : {}),
      ...(s.roles.length > 0 ? { roles: s.roles } : {}),
      ...(s.amr ? { amr: s.amr } : {}),
    });
  }

  async idToken(s: TokenSubject & { user: DevUser; nonce?: string }): Promise<string> {
    return this.sign({
      aud: s.client.clientId,
      iss: this.issuer(s.tenant.id),
      tid: s.tenant.id,
      sub: this.subject(s.user.id, s.client.clientId),
      ver: '2.0',
      ...this.userClaims(s),
      ...(s.nonce ? { nonce: s.nonce } : {}),
    });
  }

  private async verify(token: string, options: { audience: string | string[]; issuer?: string }): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.keys.publicJwks()), {
        algorithms: ['RS256'],
        audience: options.audience,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        currentDate: new Date(this.now()),
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'The token is expired.');
      throw new TokenError('invalid', err instanceof Error ? err.message : 'invalid token');
    }
  }

  /** Checks an OBO assertion: signed by us, v2, for `app` (by client id or identifier URI). */
  async verifyAppAccessToken(token: string, app: DevApp): Promise<JWTPayload & { tid: string; oid?: string; azp: string; scp?: string; amr?: string[] }> {
    const payload = await this.verify(token, { audience: [app.clientId, ...app.identifierUris] });
    if (typeof payload.tid !== 'string' || payload.iss !== this.issuer(payload.tid)) throw new TokenError('invalid', 'issuer does not match tenant');
    return payload as JWTPayload & { tid: string; oid?: string; azp: string; scp?: string; amr?: string[] };
  }

  /** Checks a token presented to the dev Graph. */
  async verifyGraphAccessToken(token: string): Promise<GraphCaller> {
    const payload = await this.verify(token, { audience: [GRAPH_RESOURCE, GRAPH_APP_ID, `${GRAPH_RESOURCE}/`] });
    const tid = payload.tid;
    if (typeof tid !== 'string' || payload.iss !== this.graphIssuer(tid)) throw new TokenError('invalid', 'issuer does not match tenant');
    return {
      tenantId: tid,
      ...(typeof payload.oid === 'string' ? { userId: payload.oid } : {}),
      appId: String(payload.appid ?? ''),
      scopes: typeof payload.scp === 'string' ? payload.scp.split(' ').filter(Boolean) : [],
      roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
    };
  }
}

/** Opaque one-time handles (authorization codes, refresh tokens). */
export function opaqueHandle(): string {
  return `${randomUUID()}.${randomBytes(32).toString('base64url')}`;
}
