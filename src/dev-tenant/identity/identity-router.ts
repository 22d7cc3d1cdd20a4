import express, { type Router } from 'express';
import type { DevRegistry } from '../registry.js';
import type { SigningKeys } from '../signing-keys.js';
import type { TokenService } from '../tokens.js';
import { authorizeEndpoints } from './authorize-endpoint.js';
import { entra } from './entra-errors.js';
import type { GrantStore } from './grant-store.js';
import type { SessionCookies } from './sessions.js';
import { tokenEndpoint } from './token-endpoint.js';

export interface IdentityRouterDeps {
  registry: DevRegistry;
  tokens: TokenService;
  keys: SigningKeys;
  grants: GrantStore;
  sessions: SessionCookies;
}

const GENERIC = new Set(['common', 'organizations']);

/**
 * The Entra ID v2 endpoints, per tenant (id or domain) and for common/organizations:
 * OpenID configuration, keys, authorize, token, logout and admin consent.
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc
 */
export function identityRouter(deps: IdentityRouterDeps): Router {
  const router = express.Router();
  const base = deps.tokens.baseUrl;

  // Discovery documents are public and read by SPAs cross-origin.
  const publicCors: express.RequestHandler = (_req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    next();
  };

  router.get('/:tenant/v2.0/.well-known/openid-configuration', publicCors, (req: express.Request<{ tenant: string }>, res) => {
    const segment = req.params.tenant;
    const tenant = GENERIC.has(segment) ? undefined : deps.registry.findTenant(segment);
    if (!GENERIC.has(segment) && !tenant) return void entra.tenantNotFound(segment).send(res);
    const path = tenant ? tenant.id : segment;
    res.json({
      token_endpoint: `${base}/${path}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/${path}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      // For common/organizations the issuer is a template, as Entra publishes it.
      issuer: `${base}/${tenant ? tenant.id : '{tenantid}'}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/${path}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/${path}/oauth2/v2.0/logout`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email', 'oid', 'wids', 'roles'],
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(base).host,
    });
  });

  router.get('/:tenant/discovery/v2.0/keys', publicCors, (req: express.Request<{ tenant: string }>, res) => {
    const segment = req.params.tenant;
    if (!GENERIC.has(segment) && !deps.registry.findTenant(segment)) return void entra.tenantNotFound(segment).send(res);
    res.json(deps.keys.jwks(`${base}/{tenantid}/v2.0`));
  });

  const { authorize, adminConsent, logout } = authorizeEndpoints(deps);
  router.use('/:tenant/oauth2/v2.0/authorize', authorize);
  router.use('/:tenant/oauth2/v2.0/token', tokenEndpoint(deps));
  router.use('/:tenant/oauth2/v2.0/logout', logout);
  router.use('/:tenant/v2.0/adminconsent', adminConsent);
  return router;
}
