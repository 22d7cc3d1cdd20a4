import { ApiRequestError } from '../api/client';
import type { TeamsHost } from '../host/teams';
import { adminConsentUrl, type AuthChallenge } from './consent';
import type { Session } from './session';
import type { TabConfig } from './tab-config';

/** The Teams consent pop-up: /auth/start runs msal-browser there and /auth/end reports back. */
const POPUP = { width: 600, height: 640 };

/**
 * Sign-in inside Teams: Teams SSO (getAuthToken) gives the API token; consent and claims challenges
 * go through authentication.authenticate, which opens our /auth/start page in a pop-up.
 */
export function teamsSession(host: TeamsHost, config: TabConfig | undefined): Session {
  const { sdk } = host;
  // A token obtained in the pop-up for a claims challenge (e.g. after MFA): Teams' own cached SSO
  // token would not carry it, so it is used until shortly before it expires.
  let stepUp: { token: string; expiresAt: number } | undefined;

  const popup = async (params: Record<string, string>): Promise<string> => {
    const query = new URLSearchParams({ ...params, ...(host.tenantId ? { tenant: host.tenantId } : {}), ...(host.loginHint ? { loginHint: host.loginHint } : {}) });
    return sdk.authentication.authenticate({ url: `${window.location.origin}/auth/start?${query}`, ...POPUP });
  };

  return {
    host: 'teams',
    account: { name: null, username: host.loginHint ?? null, tenantId: host.tenantId ?? null },
    notice: undefined,
    async token() {
      if (stepUp && stepUp.expiresAt - 60_000 > Date.now()) return stepUp.token;
      try {
        return await sdk.authentication.getAuthToken();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // Teams answers "resourceRequiresConsent" (or similar) when the person must approve first.
        if (/consent/i.test(message)) throw new ApiRequestError(401, 'ConsentRequired', message, undefined, undefined);
        throw new Error(`Teams could not sign you in: ${message}`);
      }
    },
    async resolveChallenge(challenge: AuthChallenge) {
      const result = await popup(challenge.kind === 'claims' ? { mode: 'claims', claims: challenge.claims } : { mode: 'consent' });
      if (challenge.kind === 'claims') {
        const expiresAt = jwtExpiry(result);
        if (expiresAt) stepUp = { token: result, expiresAt };
      }
    },
    adminConsentUrl: config && host.tenantId ? adminConsentUrl(config, host.tenantId) : undefined,
    async approveForOrganisation() {
      await popup({ mode: 'admin-consent' });
    },
    openTeamsLink(url) {
      // Inside Teams a deep link must go through the host; a plain navigation would load it in our frame.
      sdk.app.openLink(url).catch(() => window.open(url, '_blank', 'noopener,noreferrer'));
    },
  };
}

/** `exp` of a JWT in milliseconds, or undefined when the string is not one. */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
