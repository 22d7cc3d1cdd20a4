import type { DevUser } from '../directory.js';
import type { DevApp, DevRegistry, DevTenant } from '../registry.js';
import { ACCESS_TOKEN_SECONDS, type TokenService } from '../tokens.js';
import type { GrantStore } from './grant-store.js';
import type { ConsentDecision, ScopeRequest } from './scopes.js';

export interface IssueInput {
  tenant: DevTenant;
  user: DevUser;
  client: DevApp;
  request: ScopeRequest;
  /** The raw scope string, kept in refresh tokens. */
  scope: string;
  decision: ConsentDecision;
  mfa: boolean;
  spa: boolean;
  nonce?: string;
  clientInfo: boolean;
  /** Expiry to carry over when rotating a SPA refresh token. */
  refreshExpiry?: number;
  /** OBO answers carry no ID token. */
  idToken: boolean;
}

/**
 * The token endpoint's success body as Entra writes it: the access token for the one resource asked
 * for, `scope` as granted, an ID token when `openid` was asked, a refresh token when
 * `offline_access` was, and `client_info` (uid/utid) when MSAL asks for it.
 */
export async function tokenResponse(tokens: TokenService, registry: DevRegistry, grants: GrantStore, input: IssueInput): Promise<Record<string, unknown>> {
  const { tenant, user, client, request, decision } = input;
  const mfaClaims = input.mfa ? ['pwd', 'mfa'] : ['pwd'];
  let accessToken: string;
  let scopeOut: string[];
  if (request.resource.kind === 'graph') {
    accessToken = await tokens.graphAccessToken({ tenant, user, client, scopes: decision.granted, roles: [], amr: mfaClaims });
    scopeOut = decision.granted;
  } else {
    const resource = request.resource.app;
    accessToken = await tokens.appAccessToken({
      tenant, user, client, resource, scopes: decision.granted, roles: registry.appRoles(tenant, resource.clientId, user.id), amr: mfaClaims,
    });
    const prefix = resource.identifierUris[0] ?? resource.clientId;
    scopeOut = decision.granted.map((s) => `${prefix}/${s}`);
  }
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: [...scopeOut, ...request.oidc].join(' '),
    expires_in: ACCESS_TOKEN_SECONDS,
    ext_expires_in: ACCESS_TOKEN_SECONDS,
    access_token: accessToken,
  };
  if (request.oidc.has('offline_access')) {
    body.refresh_token = grants.issueRefreshToken(
      { tenantId: tenant.id, userId: user.id, clientId: client.clientId, scope: input.scope, mfa: input.mfa, spa: input.spa },
      input.refreshExpiry,
    );
    if (input.spa) body.refresh_token_expires_in = Math.round(((input.refreshExpiry ?? Date.now() + 86_400_000) - Date.now()) / 1000);
  }
  if (input.idToken && request.oidc.has('openid')) {
    body.id_token = await tokens.idToken({ tenant, user, client, ...(input.nonce ? { nonce: input.nonce } : {}) });
  }
  if (input.clientInfo) body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url');
  return body;
}
