import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';

/** Who a validated tab request comes from. Tenant and user are taken from the validated token only. */
export interface TabCaller {
  tenantId: string;
  userId: string;
  name: string | null;
  username: string | null;
  /** Switchboard.Admin app role, or Global / Teams Administrator in `wids`. */
  isAdmin: boolean;
  /** The raw token, for the on-behalf-of exchange. */
  token: string;
}

/** Why a token was refused; never shown in detail to the caller (logged instead). */
export class TokenRejected extends Error {
  constructor(
    readonly reason: 'malformed' | 'expired' | 'not-yet-valid' | 'signature' | 'audience' | 'issuer' | 'version' | 'scope' | 'claims',
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'TokenRejected';
  }
}

export const ADMIN_APP_ROLE = 'Switchboard.Admin';
/** Directory role template ids that count as tenant administrators (Entra built-in roles). */
const ADMIN_DIRECTORY_ROLES = new Set(['62e90394-69f5-4237-9190-012177145e10', '69091246-20e8-4a56-aa4d-066075b2a7a8']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TabTokenValidatorOptions {
  /** https://login.microsoftonline.com, or the dev tenant. */
  authorityHost: string;
  /** The app's client id: v2 tokens carry it as `aud`. */
  clientId: string;
  /** The scope the tab asks for. */
  requiredScope?: string;
  /** Clock skew allowed on exp/nbf, in seconds. */
  clockToleranceSeconds?: number;
  /** Key source seam for tests; defaults to the authority's JWKS (cached, refetched on an unknown kid). */
  keys?: Parameters<typeof jwtVerify>[1];
}

/**
 * Validates the access token the tab sends (Teams SSO getAuthToken, or msal-browser outside Teams):
 * RS256 signature against the identity platform's published keys, issuer of the token's own tenant
 * (multi-tenant app: `{authority}/{tid}/v2.0`), audience = our client id, a v2.0 token, not expired
 * nor early, and the access_as_user scope. Anything else is refused.
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
export class TabTokenValidator {
  private readonly keys: Parameters<typeof jwtVerify>[1];
  private readonly scope: string;

  constructor(private readonly options: TabTokenValidatorOptions) {
    // Entra signs every tenant's tokens with the same keys, published at each tenant's and the common endpoint.
    this.keys = options.keys ?? createRemoteJWKSet(new URL(`${options.authorityHost}/common/discovery/v2.0/keys`), { cooldownDuration: 30_000, cacheMaxAge: 3_600_000 });
    this.scope = options.requiredScope ?? 'access_as_user';
  }

  async validate(token: string): Promise<TabCaller> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejected('malformed', 'not a JWT');
    }
    // The issuer depends on the tenant, so read tid first; the signature check below binds it.
    const tid = unverified.tid;
    if (typeof tid !== 'string' || !GUID.test(tid)) throw new TokenRejected('claims', 'no tenant id');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        issuer: `${this.options.authorityHost}/${tid}/v2.0`,
        audience: this.options.clientId,
        clockTolerance: this.options.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp', 'iat', 'tid', 'oid'],
      }));
    } catch (err) {
      throw translate(err);
    }
    if (payload.ver !== '2.0') throw new TokenRejected('version', `ver ${String(payload.ver)}`);
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(this.scope)) throw new TokenRejected('scope', `scp lacks ${this.scope}`);
    const oid = payload.oid;
    if (typeof oid !== 'string' || !GUID.test(oid)) throw new TokenRejected('claims', 'no object id');
    const roles = Array.isArray(payload.roles) ? payload.roles : [];
    const wids = Array.isArray(payload.wids) ? payload.wids : [];
    return {
      tenantId: tid.toLowerCase(),
      userId: oid.toLowerCase(),
      name: typeof payload.name === 'string' ? payload.name : null,
      username: typeof payload.preferred_username === 'string' ? payload.preferred_username : null,
      isAdmin: roles.includes(ADMIN_APP_ROLE) || wids.some((w) => typeof w === 'string' && ADMIN_DIRECTORY_ROLES.has(w)),
      token,
    };
  }
}

function translate(err: unknown): TokenRejected {
  if (err instanceof joseErrors.JWTExpired) return new TokenRejected('expired', err.message);
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new TokenRejected('issuer', err.message);
    if (err.claim === 'aud') return new TokenRejected('audience', err.message);
    if (err.claim === 'nbf') return new TokenRejected('not-yet-valid', err.message);
    return new TokenRejected('claims', err.message);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWSInvalid) {
    return new TokenRejected('signature', err instanceof Error ? err.message : 'bad signature');
  }
  return new TokenRejected('malformed', err instanceof Error ? err.message : String(err));
}
