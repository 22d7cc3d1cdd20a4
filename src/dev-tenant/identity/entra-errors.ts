import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

/**
 * An error from the token or authorize endpoint, in Entra's shape: OAuth `error`, an AADSTS code in
 * `error_codes` and at the head of `error_description`, trace and correlation ids, and for
 * interaction-required cases a `suberror` and `claims`.
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
export class EntraError extends Error {
  constructor(
    readonly error: string,
    readonly code: number,
    readonly description: string,
    readonly options: { status?: number; suberror?: string; claims?: string } = {},
  ) {
    super(`AADSTS${code}: ${description}`);
    this.name = 'EntraError';
  }

  get status(): number {
    return this.options.status ?? (this.error === 'invalid_client' ? 401 : 400);
  }

  body(correlationId: string = randomUUID()): Record<string, unknown> {
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const traceId = randomUUID();
    return {
      error: this.error,
      error_description: `AADSTS${this.code}: ${this.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [this.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      ...(this.options.suberror ? { suberror: this.options.suberror } : {}),
      ...(this.options.claims ? { claims: this.options.claims } : {}),
    };
  }

  send(res: Response, correlationId?: string): void {
    res.status(this.status).set('Cache-Control', 'no-store').json(this.body(correlationId));
  }
}

/** The errors the stand-in raises, by AADSTS code, with Entra's wording. */
export const entra = {
  tenantNotFound: (tenant: string) =>
    new EntraError('invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  appNotFound: (clientId: string, tenant: string) =>
    new EntraError('unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`),
  invalidClientSecret: (clientId: string) =>
    new EntraError('invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  clientSecretRequired: () =>
    new EntraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  missingParameter: (name: string) => new EntraError('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  unsupportedGrant: (grant: string) => new EntraError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  invalidScope: (detail: string) => new EntraError('invalid_scope', 70011, `The provided request must include a 'scope' input parameter. ${detail}`),
  multipleResources: () =>
    new EntraError('invalid_scope', 28000, 'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope is not valid.'),
  resourceNotFound: (resource: string, tenant: string) =>
    new EntraError('invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`),
  consentRequired: (clientId: string, name: string) =>
    new EntraError('invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${clientId}' named '${name}'. Send an interactive authorization request for this user and resource.`, { suberror: 'consent_required' }),
  mfaRequired: (claims: string) =>
    new EntraError('invalid_grant', 50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.", { suberror: 'basic_action', claims }),
  assertionExpired: () => new EntraError('invalid_grant', 500133, 'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.'),
  assertionInvalid: (detail: string) => new EntraError('invalid_grant', 50013, `Assertion failed signature validation. [Reason - ${detail}]`),
  badCredentials: () => new EntraError('invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  userNotFound: (user: string, tenant: string) =>
    new EntraError('invalid_grant', 50034, `The user account {EUII Hidden} does not exist in the ${tenant} directory. To sign into this application, the account must be added to the directory. (${user.length} characters)`),
  userDisabled: () => new EntraError('invalid_grant', 50057, 'The user account is disabled.'),
  codeInvalid: () =>
    new EntraError('invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'),
  codeRedeemed: () => new EntraError('invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  redirectMismatch: (clientId: string) =>
    new EntraError('invalid_request', 50011, `The redirect URI specified in the request does not match the redirect URIs configured for the application '${clientId}'.`),
  pkceRequired: () => new EntraError('invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.'),
  pkceMismatch: () => new EntraError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'),
  spaNeedsOrigin: () =>
    new EntraError('invalid_request', 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests."),
  crossOriginNotSpa: () =>
    new EntraError('invalid_request', 9002326, "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type."),
  spaRefreshExpired: () =>
    new EntraError('invalid_grant', 700084, "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page."),
  notAdmin: (clientId: string) =>
    new EntraError('access_denied', 90094, `Admin consent is required for the permissions requested by this application '${clientId}'.`, { suberror: 'consent_required' }),
};
