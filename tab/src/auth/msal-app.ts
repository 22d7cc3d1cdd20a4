import { AuthError, PublicClientApplication } from '@azure/msal-browser';
import { authorityHost, type TabConfig } from './tab-config';

/**
 * msal-browser for Switchboard's registration. `redirectPath` is one of the registered SPA redirect
 * URIs: /auth/callback for the tab's own redirects, /auth/end for the Teams consent pop-up.
 */
export function createMsal(config: TabConfig, options: { redirectPath: '/auth/callback' | '/auth/end'; tenantId?: string }): PublicClientApplication {
  return new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: options.tenantId ? tenantAuthority(config, options.tenantId) : config.authority,
      // The dev tenant is not a Microsoft cloud MSAL knows: listing its host skips instance discovery.
      knownAuthorities: config.knownAuthorities,
      redirectUri: `${window.location.origin}${options.redirectPath}`,
    },
    // localStorage: a second browser tab of Switchboard is signed in too.
    cache: { cacheLocation: 'localStorage' },
  });
}

/** The person's own organisation: token renewals and consent go there rather than to /organizations. */
export function tenantAuthority(config: TabConfig, tenantId: string): string {
  return `${authorityHost(config)}/${encodeURIComponent(tenantId)}`;
}

/** A readable sentence from an MSAL or Entra error (Entra's descriptions start with an AADSTS code). */
export function describeAuthError(err: unknown): string {
  if (err instanceof AuthError) {
    const text = (err.errorMessage || err.message).split(/\r?\n| Trace ID:/)[0]!.trim();
    return err.errorCode === 'access_denied' ? `Sign-in ended without approval: ${text}` : text || err.errorCode;
  }
  return err instanceof Error ? err.message : String(err);
}
