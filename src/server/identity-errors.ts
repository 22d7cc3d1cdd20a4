import { AssertionInvalid, ClaimsChallenge, ConsentRequired, GrantLapsed, IdentityUnavailable } from '../auth/auth-errors.js';
import { HttpError } from './errors.js';

/**
 * What the tab must do when the on-behalf-of exchange fails: 401 with what is needed (consent, or a
 * claims challenge to pass to a new sign-in), 401 for a refused token, 503 when Entra is unreachable.
 */
export function identityErrorToHttp(err: unknown): HttpError | undefined {
  if (err instanceof ConsentRequired) {
    return new HttpError(401, 'ConsentRequired', err.adminConsentRequired
      ? 'Switchboard needs an administrator of your organisation to grant it permission to read the directory.'
      : 'Switchboard needs your consent to read the directory.', { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' });
  }
  if (err instanceof ClaimsChallenge) {
    return new HttpError(401, 'InteractionRequired', 'Your organisation requires you to sign in again (for example with multi-factor authentication).', {
      'WWW-Authenticate': `Bearer error="insufficient_claims", claims="${Buffer.from(err.claims).toString('base64')}"`,
    });
  }
  if (err instanceof AssertionInvalid) return new HttpError(401, 'Unauthorized', 'The token is not valid for Switchboard', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  if (err instanceof IdentityUnavailable) return new HttpError(503, 'IdentityUnavailable', 'Microsoft Entra ID could not be reached; try again shortly.', { 'Retry-After': '5' });
  if (err instanceof GrantLapsed) return new HttpError(503, 'GrantLapsed', err.message);
  return undefined;
}
