import { decodeJwt } from 'jose';
import { AssertionInvalid } from './auth-errors.js';

/** Switchboard's app role for its administrators (appPackage/aad.manifest.json). */
export const ADMIN_APP_ROLE = 'Switchboard.Admin';
/** Directory role template id of Global Administrator (`wids` claim). */
export const GLOBAL_ADMINISTRATOR_ROLE = '62e90394-69f5-4237-9190-012177145e10';

/** What Switchboard reads from a Teams SSO token (already validated by the server's auth middleware). */
export interface AssertionClaims {
  oid: string;
  tid: string;
  name: string | null;
  isAdmin: boolean;
}

/**
 * Reads the SSO token without verifying it: the caller has verified it, and Entra verifies it again
 * in the on-behalf-of exchange. Used to name the tenant and to tell an administrator's grant apart.
 */
export function readAssertion(token: string, tenantId: string): AssertionClaims {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch (err) {
    throw new AssertionInvalid(tenantId, 'malformed', { cause: err });
  }
  const { oid, tid, name, roles, wids } = claims;
  if (typeof oid !== 'string' || typeof tid !== 'string') throw new AssertionInvalid(tenantId, 'malformed', { detail: 'no oid or tid claim' });
  return { oid, tid, name: typeof name === 'string' ? name : null, isAdmin: includes(roles, ADMIN_APP_ROLE) || includes(wids, GLOBAL_ADMINISTRATOR_ROLE) };
}

function includes(claim: unknown, value: string): boolean {
  return Array.isArray(claim) && claim.includes(value);
}
