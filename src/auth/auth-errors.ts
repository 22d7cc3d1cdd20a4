/**
 * Why Switchboard could not get a Microsoft Graph token. Each subclass carries what its handler needs
 * (the scopes to consent to, the claims to send back, whose grant lapsed), so callers branch on the
 * class and never parse AADSTS messages. The msal error is kept as `cause`.
 */
export class IdentityError extends Error {
  /** The AADSTS number Entra answered with, when it answered one. */
  readonly aadsts: number | undefined;

  constructor(message: string, options: { aadsts?: number | undefined; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.aadsts = options.aadsts;
  }
}

/**
 * The tenant (or user) has not consented to Switchboard's Graph permissions (AADSTS65001,
 * suberror consent_required). An administrator must grant `scopes`; `adminConsentRequired` says
 * whether a user's own consent could ever suffice.
 */
export class ConsentRequired extends IdentityError {
  constructor(
    readonly tenantId: string,
    readonly scopes: readonly string[],
    readonly adminConsentRequired: boolean,
    options: { aadsts?: number | undefined; cause?: unknown } = {},
  ) {
    super(`Tenant ${tenantId} has not consented to Switchboard's Graph permissions (${scopes.join(', ')})${adminConsentRequired ? '; an administrator must grant them' : ''}`, options);
  }
}

/**
 * Conditional access wants more from the user (MFA: AADSTS50076/50079). The tab must get a new SSO
 * token with these `claims` (teams-js `authentication.getAuthToken({ claims })`) and try again.
 */
export class ClaimsChallenge extends IdentityError {
  constructor(
    readonly tenantId: string,
    readonly claims: string,
    options: { aadsts?: number | undefined; cause?: unknown } = {},
  ) {
    super(`Conditional access in tenant ${tenantId} requires the user to satisfy a claims challenge`, options);
  }
}

export type AssertionProblem =
  /** AADSTS500133: the SSO token has expired; the client should fetch a fresh one. */
  | 'expired'
  /** AADSTS50013: bad signature, or a token for another app. */
  | 'bad-signature'
  /** The token's `tid` is not the tenant the request is for. */
  | 'wrong-tenant'
  /** Not a JWT, or no `oid`/`tid`. */
  | 'malformed'
  /** AADSTS50057: the user's account is disabled. */
  | 'account-disabled'
  /** Any other refusal of the assertion. */
  | 'rejected';

/** The incoming SSO token cannot be exchanged: the request is unauthenticated (HTTP 401). */
export class AssertionInvalid extends IdentityError {
  constructor(
    readonly tenantId: string,
    readonly reason: AssertionProblem,
    options: { aadsts?: number | undefined; cause?: unknown; detail?: string } = {},
  ) {
    super(`The SSO token for tenant ${tenantId} cannot be exchanged (${reason})${options.detail ? `: ${options.detail}` : ''}`, options);
  }
}

export type LapseReason =
  /** Nobody's grant is recorded for the tenant yet: no consented user has used Switchboard. */
  | 'no-grant'
  /** A grant is recorded but its tokens are gone from the cache (deleted partition). */
  | 'not-in-cache'
  /** The refresh token expired, was revoked, or was already used elsewhere (AADSTS70008, 700082). */
  | 'refresh-token-expired'
  /** Credentials changed or sessions were revoked (AADSTS50173, 50133). */
  | 'refresh-token-revoked'
  /** AADSTS50057. */
  | 'account-disabled'
  /** AADSTS50034 / 50020: the account no longer exists in the tenant. */
  | 'account-deleted'
  /** AADSTS65001: consent was withdrawn. */
  | 'consent-revoked'
  /** MFA or another conditional-access step (AADSTS50076/50079) that background sync cannot perform. */
  | 'interaction-required'
  /** Any other refusal of the grant. */
  | 'rejected';

/** Whose grant the tenant's background sync runs on. */
export interface GrantHolder {
  homeAccountId: string;
  name: string | null;
}

/**
 * Background sync has no usable delegated grant for the tenant. Sync stops until a consented user
 * (preferably an administrator) uses Switchboard again, which records a fresh grant.
 */
export class GrantLapsed extends IdentityError {
  constructor(
    readonly tenantId: string,
    readonly reason: LapseReason,
    readonly holder: GrantHolder | undefined,
    options: { aadsts?: number | undefined; cause?: unknown } = {},
  ) {
    const whose = holder ? `${holder.name ?? holder.homeAccountId}'s grant` : 'no grant';
    super(`Background sync for tenant ${tenantId} has ${holder ? `lost ${whose}` : whose} (${reason}); it resumes when a consented user, preferably an administrator, signs in to Switchboard`, options);
  }
}

/** Entra could not be reached or answered 5xx/429: transient, retry later. */
export class IdentityUnavailable extends IdentityError {}
