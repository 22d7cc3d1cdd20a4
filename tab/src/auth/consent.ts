import { authorityHost, type TabConfig } from './tab-config';

/**
 * What the server needs consent for: Switchboard's Graph permissions, as registered. `.default` asks
 * for exactly the permissions the app registration declares, so the tab need not repeat the list.
 */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** What the API asked for in a 401: consent to Switchboard's permissions, or a new sign-in with claims. */
export type AuthChallenge = { kind: 'consent' } | { kind: 'claims'; claims: string };

/** The claims challenge arrives base64-encoded in WWW-Authenticate; MSAL wants the JSON itself. */
export function decodeClaims(base64: string): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Where both Teams pop-ups and browser redirects come back to after consent (a registered SPA redirect URI). */
export function authEndUrl(origin: string = window.location.origin): string {
  return `${origin}/auth/end`;
}

/**
 * Microsoft's admin consent endpoint for the signed-in user's organisation: an administrator approves
 * Switchboard's permissions for everyone at once.
 * https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
 */
export function adminConsentUrl(config: TabConfig, tenantId: string, origin: string = window.location.origin): string {
  const params = new URLSearchParams({ client_id: config.clientId, scope: GRAPH_DEFAULT_SCOPE, redirect_uri: authEndUrl(origin), state: 'admin-consent' });
  return `${authorityHost(config)}/${encodeURIComponent(tenantId)}/v2.0/adminconsent?${params}`;
}
