import express, { type Request, type Response, type Router } from 'express';
import type { DevUser } from '../directory.js';
import { DIRECTORY_ROLES, GRAPH_APP_ID, type DevApp, type DevRegistry, type DevTenant } from '../registry.js';
import { EntraError, entra } from './entra-errors.js';
import type { GrantStore } from './grant-store.js';
import { consentPage, errorPage, formPostPage, needAdminPage, signInPage } from './pages.js';
import { decideConsent, needsAdminConsent, parseScopes, qualify } from './scopes.js';
import type { SessionCookies } from './sessions.js';
import { MFA_CLAIMS } from './token-endpoint.js';

export interface AuthorizeDeps {
  registry: DevRegistry;
  grants: GrantStore;
  sessions: SessionCookies;
}

/** Parameters of the authorize request that are carried through the sign-in and consent pages. */
const CARRIED = ['client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'response_mode', 'prompt', 'login_hint', 'claims', 'domain_hint', 'client_info'];

/** Raised once the redirect URI is trusted: the error goes back to the app, not to a page. */
class RedirectError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const ADMIN_ROLES: string[] = [DIRECTORY_ROLES.globalAdministrator];

function isTenantAdmin(user: DevUser): boolean {
  return user.directoryRoles.some((r) => ADMIN_ROLES.includes(r));
}

/**
 * GET/POST /{tenant}/oauth2/v2.0/authorize: authorization code flow with PKCE, a sign-in page listing
 * the tenant's users, and a consent page when the app lacks consent; plus /{tenant}/v2.0/adminconsent.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 * https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
 */
export function authorizeEndpoints(deps: AuthorizeDeps): { authorize: Router; adminConsent: Router; logout: Router } {
  const form = express.urlencoded({ extended: false, limit: '32kb' });

  const authorize = express.Router({ mergeParams: true });
  authorize.all('/', form, (req: Request<{ tenant: string }>, res) => {
    const params = pick(req.method === 'POST' ? req.body : req.query);
    handle(deps, req, res, params, 'authorize');
  });

  const adminConsent = express.Router({ mergeParams: true });
  adminConsent.all('/', form, (req: Request<{ tenant: string }>, res) => {
    const params = pick(req.method === 'POST' ? req.body : req.query);
    handle(deps, req, res, params, 'adminconsent');
  });

  const logout = express.Router({ mergeParams: true });
  logout.get('/', (req, res) => {
    deps.sessions.clear(res);
    const target = typeof req.query.post_logout_redirect_uri === 'string' ? req.query.post_logout_redirect_uri : undefined;
    const known = target && [...deps.registry.apps.values()].some((a) => allRedirects(a).includes(target));
    if (known) res.redirect(target);
    else res.type('html').send(errorPage(0, 'You have signed out of the development tenant.'));
  });
  return { authorize, adminConsent, logout };
}

function pick(source: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...CARRIED, 'step', 'username', 'password', 'mfa', 'decision', 'for_org']) {
    const v = (source as Record<string, unknown> | undefined)?.[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

function allRedirects(app: DevApp): string[] {
  return [...app.redirectUris.spa, ...app.redirectUris.web, ...app.redirectUris.publicClient];
}

function handle(deps: AuthorizeDeps, req: Request<{ tenant: string }>, res: Response, params: Record<string, string>, mode: 'authorize' | 'adminconsent'): void {
  const { registry } = deps;
  // 1. Errors before the redirect URI is known to be the app's are shown, never redirected.
  const segment = req.params.tenant;
  const generic = segment === 'common' || segment === 'organizations';
  const pathTenant = generic ? undefined : registry.findTenant(segment);
  if (!generic && !pathTenant) return void res.status(400).type('html').send(errorPage(90002, `Tenant '${segment}' not found.`));
  const client = params.client_id ? registry.apps.get(params.client_id) : undefined;
  if (!client) return void res.status(400).type('html').send(errorPage(700016, `Application with identifier '${params.client_id ?? ''}' was not found in the directory.`));
  const redirectUri = params.redirect_uri ?? '';
  if (!allRedirects(client).includes(redirectUri)) return void res.status(400).type('html').send(errorPage(50011, entra.redirectMismatch(client.clientId).description));
  const spa = client.redirectUris.spa.includes(redirectUri);
  const carried = Object.fromEntries(Object.entries(params).filter(([k]) => CARRIED.includes(k)));
  const action = req.baseUrl;

  try {
    if (mode === 'authorize') {
      if ((params.response_type ?? '') !== 'code') throw new RedirectError('unsupported_response_type', 'AADSTS700054: response_type is not enabled for the application; use code.');
      if (spa && !params.code_challenge) throw new RedirectError('invalid_request', `AADSTS${entra.pkceRequired().code}: ${entra.pkceRequired().description}`);
    }
    // 2. Who is signing in: a posted sign-in, else the session cookie (unless prompt=login).
    let session = deps.sessions.read(req);
    const prompt = params.prompt ?? '';
    const wantsMfa = claimsDemandMfa(params.claims);
    if (params.step === 'signin') {
      const result = checkSignIn(registry, pathTenant, params);
      if (typeof result === 'string') {
        return void res.status(200).type('html').send(signInPage({ action, params: carried, tenants: tenantsFor(registry, pathTenant), password: registry.userPassword, mfa: true, error: result, ...(params.login_hint ? { loginHint: params.login_hint } : {}) }));
      }
      session = { tenantId: result.tenant.id, userId: result.user.id, mfa: params.mfa === 'approved' };
      deps.sessions.write(res, session);
    } else if (prompt === 'login' || prompt === 'select_account') {
      session = undefined;
    }
    const sessionUser = session && sessionUserOf(registry, session, pathTenant);
    const tenant = sessionUser?.tenant;
    const user = sessionUser?.user;
    const needsMfa = tenant && user ? (tenant.claimsChallengeUsers.has(user.id) || wantsMfa) && !session!.mfa : false;
    if (!tenant || !user || needsMfa || (params.login_hint && params.step !== 'signin' && user.userPrincipalName.toLowerCase() !== params.login_hint.toLowerCase())) {
      if (prompt === 'none') throw new RedirectError(needsMfa ? 'interaction_required' : 'login_required', needsMfa ? 'AADSTS50076: multi-factor authentication is required.' : 'AADSTS50058: A silent sign-in request was sent but no user is signed in.');
      return void res.type('html').send(signInPage({ action, params: carried, tenants: tenantsFor(registry, pathTenant), password: registry.userPassword, mfa: true, ...(params.login_hint ? { loginHint: params.login_hint } : {}) }));
    }
    if (client.signInAudience === 'AzureADMyOrg' && tenant.id !== client.homeTenantId && !client.firstParty) throw new RedirectError('unauthorized_client', entra.appNotFound(client.clientId, tenant.id).message);

    if (mode === 'adminconsent') return adminConsentStep(deps, res, { client, tenant, user, params, carried, action, redirectUri });

    // 3. Consent: what the request needs that is not granted.
    const request = parseScopes(params.scope, registry, tenant);
    const decision = decideConsent(registry, tenant, client, user, request);
    // `.default` asks for every permission the app registration declares: those not yet granted are
    // what the consent page lists and what accepting grants (as Entra's consent prompt does).
    const missing = withDefaultExpanded(decision.missing, client, tenant.consents.granted(client.clientId, user.id));
    if (missing.length > 0 || (prompt === 'consent' && params.step !== 'consent')) {
      if (prompt === 'none') throw new RedirectError('consent_required', `AADSTS65001: The user or administrator has not consented to use the application with ID '${client.clientId}' named '${client.displayName}'.`);
      const adminOnly = missing.some((q) => needsAdminConsent(q, registry));
      if (params.step === 'consent') {
        if (params.decision !== 'accept') throw new RedirectError('access_denied', 'AADSTS65004: User declined to consent to access the app.');
        const forOrg = params.for_org === 'true' && isTenantAdmin(user);
        if (adminOnly && !forOrg && !isTenantAdmin(user)) throw new RedirectError('access_denied', entra.notAdmin(client.clientId).message);
        const toGrant = missing.filter((q) => !q.endsWith('/.default'));
        if (forOrg) tenant.consents.grantForAll(client.clientId, toGrant.length > 0 ? toGrant : client.requiredScopes);
        else tenant.consents.grantForUser(client.clientId, user.id, toGrant.length > 0 ? toGrant : client.requiredScopes);
      } else if (adminOnly && !isTenantAdmin(user)) {
        const back = redirectUrl(redirectUri, params, { error: 'access_denied', error_description: entra.notAdmin(client.clientId).message });
        return void res.type('html').send(needAdminPage({ appName: client.displayName, user, returnUrl: back }));
      } else {
        return void res.type('html').send(
          consentPage({ action, params: carried, appName: client.displayName, user, permissions: describe(missing, registry), canConsentForOrg: isTenantAdmin(user), forOrgOnly: false }),
        );
      }
    }
    // 4. Success: a single-use code bound to the client, redirect URI, PKCE challenge and nonce.
    const code = deps.grants.issueCode({
      tenantId: tenant.id, userId: user.id, clientId: client.clientId, scope: params.scope ?? '', mfa: session!.mfa, spa,
      redirectUri, ...(params.code_challenge ? { codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method ?? 'plain' } : {}),
      ...(params.nonce ? { nonce: params.nonce } : {}),
    });
    respond(res, redirectUri, params, { code, ...(params.client_info === '1' ? { client_info: Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url') } : {}) });
  } catch (err) {
    if (err instanceof RedirectError) return respond(res, redirectUri, params, { error: err.error, error_description: err.description });
    if (err instanceof EntraError) return respond(res, redirectUri, params, { error: err.error, error_description: err.message });
    throw err;
  }
}

/** Qualified permissions with any `<resource>/.default` replaced by the app's declared permissions not yet granted. */
function withDefaultExpanded(missing: string[], client: DevApp, granted: ReadonlySet<string>): string[] {
  if (!missing.some((q) => q.endsWith('/.default'))) return missing;
  const declared = client.requiredScopes.filter((q) => !granted.has(q));
  return [...new Set([...missing.filter((q) => !q.endsWith('/.default')), ...declared])];
}

/** The conditional-access policy ids of the stand-in's own claims challenge (AADSTS50076, see MFA_CLAIMS). */
const MFA_POLICY_IDS = new Set<string>((JSON.parse(MFA_CLAIMS) as { access_token: { capolids: { values: string[] } } }).access_token.capolids.values);

/**
 * Whether an OpenID Connect `claims` request asks for a step-up the stand-in answers with MFA, as
 * Entra reads it: the conditional-access challenge the stand-in issues (capolids naming its MFA
 * policy), an authentication context (acrs), or an `amr` that must include "mfa", in the access
 * token's or the ID token's section. Anything else asks for no extra factor: msal-browser sends
 * optional ID token claims (signin_state, login_hint, …) with every request, and client
 * capabilities (xms_cc) only announce what the client can handle.
 * https://learn.microsoft.com/entra/identity-platform/claims-challenge
 */
function claimsDemandMfa(raw: string | undefined): boolean {
  if (raw === undefined || raw.trim() === '') return false;
  let request: unknown;
  try {
    request = JSON.parse(raw);
  } catch {
    throw new RedirectError('invalid_request', 'AADSTS90100: claims parameter is empty or not valid.');
  }
  if (!isObject(request)) throw new RedirectError('invalid_request', 'AADSTS90100: claims parameter is empty or not valid.');
  const valuesOf = (claim: unknown): string[] => {
    if (!isObject(claim)) return [];
    const values = Array.isArray(claim.values) ? claim.values : [];
    return [...values, claim.value].filter((v): v is string => typeof v === 'string');
  };
  return [request.access_token, request.id_token].some((section) => {
    if (!isObject(section)) return false;
    if (valuesOf(section.capolids).some((id) => MFA_POLICY_IDS.has(id))) return true;
    if (isObject(section.acrs) && valuesOf(section.acrs).length > 0) return true;
    return valuesOf(section.amr).includes('mfa');
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function adminConsentStep(
  deps: AuthorizeDeps,
  res: Response,
  c: { client: DevApp; tenant: DevTenant; user: DevUser; params: Record<string, string>; carried: Record<string, string>; action: string; redirectUri: string },
): void {
  const requested = c.params.scope ? parseScopes(c.params.scope, deps.registry, c.tenant) : undefined;
  const scopes =
    !requested || requested.isDefault
      ? c.client.requiredScopes
      : [...[...requested.oidc].map((s) => `${GRAPH_APP_ID}/${s}`), ...requested.scopes.map((s) => qualify(requested.resource, s))];
  if (!isTenantAdmin(c.user)) {
    return respond(res, c.redirectUri, c.params, { error: 'access_denied', error_description: entra.notAdmin(c.client.clientId).message, admin_consent: 'False' });
  }
  if (c.params.step !== 'consent') {
    return void res.type('html').send(consentPage({ action: c.action, params: c.carried, appName: c.client.displayName, user: c.user, permissions: describe(scopes, deps.registry), canConsentForOrg: true, forOrgOnly: true }));
  }
  if (c.params.decision !== 'accept') {
    return respond(res, c.redirectUri, c.params, { error: 'access_denied', error_description: 'AADSTS65004: The administrator declined to consent.', admin_consent: 'False' });
  }
  c.tenant.consents.grantForAll(c.client.clientId, scopes);
  respond(res, c.redirectUri, c.params, { admin_consent: 'True', tenant: c.tenant.id, scope: scopes.join(' ') }, 'query');
}

function describe(qualified: string[], registry: DevRegistry): { name: string; adminOnly: boolean }[] {
  return qualified.map((q) => {
    const slash = q.lastIndexOf('/');
    const appId = q.slice(0, slash);
    const name = q.slice(slash + 1);
    const owner = appId === GRAPH_APP_ID ? 'Microsoft Graph' : (registry.apps.get(appId)?.displayName ?? appId);
    return { name: `${name} (${owner})`, adminOnly: needsAdminConsent(q, registry) };
  });
}

function tenantsFor(registry: DevRegistry, pathTenant: DevTenant | undefined): DevTenant[] {
  return pathTenant ? [pathTenant] : [...registry.tenants.values()];
}

function sessionUserOf(registry: DevRegistry, session: { tenantId: string; userId: string }, pathTenant: DevTenant | undefined) {
  const tenant = registry.tenants.get(session.tenantId);
  if (!tenant || (pathTenant && pathTenant !== tenant)) return undefined;
  const user = tenant.directory.getUser(session.userId);
  return user && user.accountEnabled ? { tenant, user } : undefined;
}

function checkSignIn(registry: DevRegistry, pathTenant: DevTenant | undefined, params: Record<string, string>): { tenant: DevTenant; user: DevUser } | string {
  const username = params.username ?? '';
  const domain = username.split('@')[1] ?? '';
  const tenant = pathTenant ?? registry.findTenant(domain);
  const user = tenant?.directory.getUser(username);
  if (!tenant || !user) return "We couldn't find an account with that username.";
  if (params.password !== registry.userPassword) return 'Your account or password is incorrect.';
  if (!user.accountEnabled) return 'Your account has been locked. Contact your support person to unlock it.';
  if (tenant.claimsChallengeUsers.has(user.id) && params.mfa !== 'approved') return 'Your organisation requires multi-factor authentication: approve the sign-in request.';
  return { tenant, user };
}

function redirectUrl(redirectUri: string, params: Record<string, string>, fields: Record<string, string>): string {
  const all = { ...fields, ...(params.state !== undefined ? { state: params.state } : {}) };
  const url = new URL(redirectUri);
  const mode = params.response_mode === 'fragment' ? 'fragment' : 'query';
  const encoded = new URLSearchParams(all).toString();
  if (mode === 'fragment') url.hash = encoded;
  else for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  return url.toString();
}

/** Returns the result to the app by the response_mode it asked for (query, fragment or form_post). */
function respond(res: Response, redirectUri: string, params: Record<string, string>, fields: Record<string, string>, force?: 'query'): void {
  if (params.response_mode === 'form_post' && !force) {
    res.type('html').send(formPostPage(redirectUri, { ...fields, ...(params.state !== undefined ? { state: params.state } : {}) }));
    return;
  }
  res.redirect(302, redirectUrl(redirectUri, force ? { ...params, response_mode: 'query' } : params, fields));
}
