import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { AssertionInvalid, ClaimsChallenge, ConsentRequired, GrantLapsed, IdentityError, IdentityUnavailable, type GrantHolder, type LapseReason } from './auth-errors.js';

/**
 * Translation of msal-node errors into Switchboard's identity errors, at the one seam where msal is
 * called. Codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */

/** What an msal error says, whichever class msal chose for it. */
interface MsalFacts {
  errorCode: string;
  subError: string;
  aadsts: number | undefined;
  claims: string;
  status: number | undefined;
}

const CONSENT_REQUIRED = 65001;
const CLAIMS_CHALLENGE = new Set([50076, 50079, 50158]);
const ASSERTION_EXPIRED = 500133;
const ASSERTION_BAD_SIGNATURE = 50013;
const USER_DISABLED = 50057;
const USER_GONE = new Set([50034, 50020]);
const REFRESH_EXPIRED = new Set([70008, 700082, 700084, 70043]);
const REFRESH_REVOKED = new Set([50173, 50133, 50132]);

/** msal's own codes for "could not talk to Entra", as opposed to "Entra said no". */
const UNREACHABLE_CODES = new Set(['network_error', 'endpoints_resolution_error', 'openid_config_error', 'token_parsing_error', 'temporarily_unavailable', 'service_unavailable']);

function facts(err: AuthError): MsalFacts {
  const errorNo = (err as { errorNo?: unknown }).errorNo;
  const fromMessage = /AADSTS(\d+)/.exec(err.errorMessage ?? err.message)?.[1];
  const aadsts = errorNo !== undefined && errorNo !== '' && Number.isFinite(Number(errorNo)) ? Number(errorNo) : fromMessage ? Number(fromMessage) : undefined;
  return {
    errorCode: err.errorCode,
    subError: err.subError ?? '',
    aadsts,
    claims: err instanceof InteractionRequiredAuthError ? err.claims : '',
    status: err instanceof ServerError ? err.status : (err as { httpStatus?: number }).httpStatus,
  };
}

function unreachable(f: MsalFacts): boolean {
  return UNREACHABLE_CODES.has(f.errorCode) || (f.status !== undefined && (f.status >= 500 || f.status === 429));
}

/** Errors of the on-behalf-of exchange for a tab request. Non-msal errors (the store) pass through. */
export function translateOboError(err: unknown, tenantId: string, scopes: readonly string[], adminConsentRequired: boolean): unknown {
  if (!(err instanceof AuthError)) return err;
  const f = facts(err);
  const opts = { aadsts: f.aadsts, cause: err };
  if (f.subError === 'consent_required' || f.aadsts === CONSENT_REQUIRED) return new ConsentRequired(tenantId, scopes, adminConsentRequired, opts);
  if (f.claims !== '' || (f.aadsts !== undefined && CLAIMS_CHALLENGE.has(f.aadsts))) return new ClaimsChallenge(tenantId, f.claims, opts);
  if (f.aadsts === ASSERTION_EXPIRED) return new AssertionInvalid(tenantId, 'expired', opts);
  if (f.aadsts === ASSERTION_BAD_SIGNATURE) return new AssertionInvalid(tenantId, 'bad-signature', opts);
  if (f.aadsts === USER_DISABLED) return new AssertionInvalid(tenantId, 'account-disabled', opts);
  if (unreachable(f)) return new IdentityUnavailable(`Entra ID did not answer the on-behalf-of request for tenant ${tenantId} (${f.errorCode})`, opts);
  if (f.errorCode === 'invalid_grant') return new AssertionInvalid(tenantId, 'rejected', { ...opts, detail: err.errorMessage });
  return new IdentityError(`On-behalf-of exchange for tenant ${tenantId} failed: ${f.errorCode} ${err.errorMessage}`, opts);
}

/** Errors of a silent (refresh-token) call for background sync. Non-msal errors pass through. */
export function translateSilentError(err: unknown, tenantId: string, holder: GrantHolder): unknown {
  if (!(err instanceof AuthError)) return err;
  const f = facts(err);
  const opts = { aadsts: f.aadsts, cause: err };
  if (unreachable(f)) return new IdentityUnavailable(`Entra ID did not answer the refresh for tenant ${tenantId} (${f.errorCode})`, opts);
  const reason = lapseReason(f, err instanceof InteractionRequiredAuthError);
  if (reason) return new GrantLapsed(tenantId, reason, holder, opts);
  return new IdentityError(`Silent token request for tenant ${tenantId} failed: ${f.errorCode} ${err.errorMessage}`, opts);
}

function lapseReason(f: MsalFacts, interactionRequired: boolean): LapseReason | undefined {
  if (f.aadsts === USER_DISABLED) return 'account-disabled';
  if (f.aadsts !== undefined && USER_GONE.has(f.aadsts)) return 'account-deleted';
  if (f.aadsts === CONSENT_REQUIRED || f.subError === 'consent_required') return 'consent-revoked';
  if (f.aadsts !== undefined && REFRESH_EXPIRED.has(f.aadsts)) return 'refresh-token-expired';
  if (f.aadsts !== undefined && REFRESH_REVOKED.has(f.aadsts)) return 'refresh-token-revoked';
  if (f.claims !== '' || (f.aadsts !== undefined && CLAIMS_CHALLENGE.has(f.aadsts))) return 'interaction-required';
  // msal's own "nothing usable in the cache" (no_tokens_found, refresh_token_expired, no_account_found…).
  if (interactionRequired && f.aadsts === undefined) return 'not-in-cache';
  if (interactionRequired || f.errorCode === 'invalid_grant') return 'rejected';
  return undefined;
}
