import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { DevUser } from '../directory.js';
import type { DevApp, DevRegistry, DevTenant } from '../registry.js';
import { TokenError, type TokenService } from '../tokens.js';
import { EntraError, entra } from './entra-errors.js';
import { pkceMatches, type GrantStore } from './grant-store.js';
import { decideConsent, parseScopes } from './scopes.js';
import { tokenResponse } from './token-response.js';

export interface IdentityDeps {
  registry: DevRegistry;
  tokens: TokenService;
  grants: GrantStore;
}

const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The conditional-access challenge the stand-in sends; a token obtained with it carries amr "mfa". */
export const MFA_CLAIMS = JSON.stringify({ access_token: { capolids: { essential: true, values: ['00000000-0000-0000-0000-00000000c0a1'] } } });

interface TokenRequest {
  params: Record<string, string>;
  tenantSegment: string;
  client: DevApp;
  secretGiven: boolean;
  origin: string | undefined;
}

/**
 * POST /{tenant}/oauth2/v2.0/token with the grants Switchboard and its tests use: authorization_code
 * (PKCE), refresh_token, password (ROPC), client_credentials and on-behalf-of.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 */
export function tokenEndpoint(deps: IdentityDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.options('/', (req, res) => {
    corsHeaders(req, res);
    res.status(204).end();
  });
  router.post('/', express.urlencoded({ extended: false, limit: '64kb' }), async (req: Request<{ tenant: string }>, res) => {
    corsHeaders(req, res);
    try {
      const tokenRequest = authenticateClient(deps.registry, req);
      const body = await dispatch(deps, tokenRequest);
      res.set('Cache-Control', 'no-store').json(body);
    } catch (err) {
      if (err instanceof EntraError) err.send(res, header(req, 'client-request-id'));
      else throw err;
    }
  });
  return router;
}

function corsHeaders(req: Request, res: Response): void {
  // SPAs redeem codes cross-origin (that is how Entra tells them from web apps), so the token
  // endpoint answers CORS for any origin, as login.microsoftonline.com does.
  const origin = header(req, 'origin');
  if (origin) {
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.set('Access-Control-Allow-Headers', req.get('access-control-request-headers') ?? 'content-type');
    res.set('Vary', 'Origin');
  }
}

function header(req: Request, name: string): string | undefined {
  return req.get(name) ?? undefined;
}

function authenticateClient(registry: DevRegistry, req: Request<{ tenant: string }>): TokenRequest {
  const params = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  let clientId = params.client_id;
  let secret = params.client_secret;
  const basic = req.get('authorization');
  if (basic?.startsWith('Basic ')) {
    const [id, pw] = Buffer.from(basic.slice(6), 'base64').toString().split(':');
    clientId = decodeURIComponent(id ?? '');
    secret = decodeURIComponent(pw ?? '');
  }
  if (!clientId) throw entra.missingParameter('client_id');
  const client = registry.apps.get(clientId);
  if (!client) throw entra.appNotFound(clientId, req.params.tenant);
  if (secret !== undefined && !(client.clientSecret && safeEqual(secret, client.clientSecret))) throw entra.invalidClientSecret(clientId);
  return { params, tenantSegment: req.params.tenant, client, secretGiven: secret !== undefined, origin: header(req, 'origin') };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The tenant a request is for: the path's, or for common/organizations the one the grant names. */
function resolveTenant(registry: DevRegistry, segment: string, client: DevApp, fromGrant?: string): DevTenant {
  const generic = segment === 'common' || segment === 'organizations';
  const tenant = generic ? (fromGrant ? registry.findTenant(fromGrant) : undefined) : registry.findTenant(segment);
  if (!tenant) throw entra.tenantNotFound(generic ? (fromGrant ?? segment) : segment);
  if (fromGrant && !generic && tenant !== registry.findTenant(fromGrant)) throw entra.codeInvalid();
  if (client.signInAudience === 'AzureADMyOrg' && tenant.id !== client.homeTenantId && !client.firstParty) throw entra.appNotFound(client.clientId, tenant.id);
  return tenant;
}

function requireConfidential(r: TokenRequest): void {
  if (r.client.clientSecret && !r.secretGiven) throw entra.clientSecretRequired();
  if (!r.client.clientSecret) throw entra.clientSecretRequired();
}

function liveUser(tenant: DevTenant, id: string): DevUser {
  const user = tenant.directory.getUser(id);
  if (!user) throw entra.userNotFound(id, tenant.id);
  if (!user.accountEnabled) throw entra.userDisabled();
  return user;
}

async function dispatch(deps: IdentityDeps, r: TokenRequest): Promise<Record<string, unknown>> {
  const grantType = r.params.grant_type;
  if (!grantType) throw entra.missingParameter('grant_type');
  switch (grantType) {
    case 'authorization_code':
      return authorizationCode(deps, r);
    case 'refresh_token':
      return refreshToken(deps, r);
    case 'password':
      return password(deps, r);
    case 'client_credentials':
      return clientCredentials(deps, r);
    case OBO_GRANT:
      return onBehalfOf(deps, r);
    default:
      throw entra.unsupportedGrant(grantType);
  }
}

async function delegatedTokens(deps: IdentityDeps, r: TokenRequest, tenant: DevTenant, user: DevUser, scope: string, extra: { mfa: boolean; spa: boolean; nonce?: string; refreshExpiry?: number; idToken?: boolean }) {
  const request = parseScopes(scope, deps.registry, tenant);
  const decision = decideConsent(deps.registry, tenant, r.client, user, request);
  if (decision.missing.length > 0) throw entra.consentRequired(r.client.clientId, r.client.displayName);
  return tokenResponse(deps.tokens, deps.registry, deps.grants, {
    tenant, user, client: r.client, request, scope, decision, mfa: extra.mfa, spa: extra.spa,
    ...(extra.nonce ? { nonce: extra.nonce } : {}),
    ...(extra.refreshExpiry ? { refreshExpiry: extra.refreshExpiry } : {}),
    clientInfo: r.params.client_info === '1',
    idToken: extra.idToken ?? true,
  });
}

function challengeUnlessMfa(tenant: DevTenant, user: DevUser, mfa: boolean): void {
  if (tenant.claimsChallengeUsers.has(user.id) && !mfa) throw entra.mfaRequired(MFA_CLAIMS);
}

async function authorizationCode(deps: IdentityDeps, r: TokenRequest) {
  if (!r.params.code) throw entra.missingParameter('code');
  const code = deps.grants.redeemCode(r.params.code);
  if (code === 'redeemed') throw entra.codeRedeemed();
  if (code === undefined || code === 'expired' || code.clientId !== r.client.clientId) throw entra.codeInvalid();
  if (r.params.redirect_uri !== code.redirectUri) throw entra.redirectMismatch(r.client.clientId);
  if (code.spa && !r.origin) throw entra.spaNeedsOrigin();
  if (!code.spa && r.origin) throw entra.crossOriginNotSpa();
  if (!code.spa && r.client.clientSecret && !r.secretGiven) throw entra.clientSecretRequired();
  if (code.codeChallenge && !(r.params.code_verifier && pkceMatches(r.params.code_verifier, code.codeChallenge, code.codeChallengeMethod))) throw entra.pkceMismatch();
  const tenant = resolveTenant(deps.registry, r.tenantSegment, r.client, code.tenantId);
  const user = liveUser(tenant, code.userId);
  return delegatedTokens(deps, r, tenant, user, r.params.scope ?? code.scope, { mfa: code.mfa, spa: code.spa, ...(code.nonce ? { nonce: code.nonce } : {}) });
}

async function refreshToken(deps: IdentityDeps, r: TokenRequest) {
  if (!r.params.refresh_token) throw entra.missingParameter('refresh_token');
  const grant = deps.grants.useRefreshToken(r.params.refresh_token);
  if (grant === undefined || grant === 'expired') throw grant === 'expired' && r.origin ? entra.spaRefreshExpired() : entra.codeInvalid();
  if (grant.clientId !== r.client.clientId) throw entra.codeInvalid();
  if (grant.spa && !r.origin) throw entra.spaNeedsOrigin();
  if (!grant.spa && r.client.clientSecret && !r.secretGiven) throw entra.clientSecretRequired();
  const tenant = resolveTenant(deps.registry, r.tenantSegment, r.client, grant.tenantId);
  const user = liveUser(tenant, grant.userId);
  challengeUnlessMfa(tenant, user, grant.mfa);
  return delegatedTokens(deps, r, tenant, user, r.params.scope ?? grant.scope, { mfa: grant.mfa, spa: grant.spa, ...(grant.spa ? { refreshExpiry: grant.expiresAt } : {}) });
}

async function password(deps: IdentityDeps, r: TokenRequest) {
  const { username, password: given } = r.params;
  if (!username) throw entra.missingParameter('username');
  if (!given) throw entra.missingParameter('password');
  if (r.client.clientSecret && !r.secretGiven) throw entra.clientSecretRequired();
  const domain = username.split('@')[1] ?? '';
  const tenant = resolveTenant(deps.registry, r.tenantSegment, r.client, domain);
  const user = tenant.directory.getUser(username);
  if (!user) throw entra.userNotFound(username, tenant.id);
  if (!safeEqual(given, deps.registry.userPassword)) throw entra.badCredentials();
  if (!user.accountEnabled) throw entra.userDisabled();
  // ROPC cannot satisfy MFA: a user under the challenge fails here, as with Entra.
  challengeUnlessMfa(tenant, user, false);
  return delegatedTokens(deps, r, tenant, user, r.params.scope ?? 'openid profile', { mfa: false, spa: false });
}

async function clientCredentials(deps: IdentityDeps, r: TokenRequest) {
  requireConfidential(r);
  const tenant = resolveTenant(deps.registry, r.tenantSegment, r.client);
  const request = parseScopes(r.params.scope, deps.registry, tenant);
  if (!request.isDefault) {
    throw new EntraError('invalid_scope', 1002012, `The provided value for scope ${r.params.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  // Application permissions are not modelled: Switchboard declares none, so app-only tokens carry no
  // roles and Graph refuses them, as it would in a real tenant.
  const accessToken =
    request.resource.kind === 'graph'
      ? await deps.tokens.graphAccessToken({ tenant, client: r.client, scopes: [], roles: [] })
      : await deps.tokens.appAccessToken({ tenant, client: r.client, resource: request.resource.app, scopes: [], roles: [] });
  return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken };
}

async function onBehalfOf(deps: IdentityDeps, r: TokenRequest) {
  if (r.params.requested_token_use !== 'on_behalf_of') throw entra.missingParameter('requested_token_use');
  if (!r.params.assertion) throw entra.missingParameter('assertion');
  requireConfidential(r);
  let claims;
  try {
    claims = await deps.tokens.verifyAppAccessToken(r.params.assertion, r.client);
  } catch (err) {
    if (err instanceof TokenError) throw err.reason === 'expired' ? entra.assertionExpired() : entra.assertionInvalid(err.message);
    throw err;
  }
  const tenant = resolveTenant(deps.registry, r.tenantSegment, r.client, claims.tid);
  if (!claims.oid) throw entra.assertionInvalid('the assertion is not a user token');
  const user = liveUser(tenant, claims.oid);
  const mfa = Array.isArray(claims.amr) && claims.amr.includes('mfa');
  challengeUnlessMfa(tenant, user, mfa);
  return delegatedTokens(deps, r, tenant, user, r.params.scope ?? '', { mfa, spa: false, idToken: true });
}
