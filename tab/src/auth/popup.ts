import { loadTeamsSdk } from '../host/teams';
import { adminConsentUrl, decodeClaims, GRAPH_DEFAULT_SCOPE } from './consent';
import { createMsal, describeAuthError } from './msal-app';
import { fetchTabConfig } from './tab-config';

/**
 * The Teams consent pop-up (authentication.authenticate): /auth/start sends the person to the
 * identity provider, which returns to /auth/end, which reports to Teams. /auth/end also receives a
 * browser's admin consent, shown as a page.
 */

/** Set by /auth/start: /auth/end in the same window then knows to report to Teams rather than show a page. */
const POPUP_MARKER = 'switchboard.auth.popup';

export type PopupMode = 'consent' | 'claims' | 'admin-consent';

export async function runAuthStart(search: string = window.location.search): Promise<void> {
  const params = new URLSearchParams(search);
  const mode = params.get('mode') as PopupMode | null;
  const tenantId = params.get('tenant') ?? undefined;
  const loginHint = params.get('loginHint') ?? undefined;
  if (mode !== 'consent' && mode !== 'claims' && mode !== 'admin-consent') throw new Error('This page is opened by Switchboard in Teams; it has nothing to do on its own.');
  sessionStorage.setItem(POPUP_MARKER, mode);
  const config = await fetchTabConfig();
  if (mode === 'admin-consent') {
    if (!tenantId) throw new Error('Teams did not say which organisation to approve Switchboard for.');
    window.location.assign(adminConsentUrl(config, tenantId));
    return;
  }
  const msal = createMsal(config, { redirectPath: '/auth/end', ...(tenantId ? { tenantId } : {}) });
  await msal.initialize();
  // Clears any interaction left unfinished in this window, which would block a new redirect.
  await msal.handleRedirectPromise({ navigateToLoginRequestUrl: false }).catch(() => null);
  const hint = loginHint ? { loginHint } : {};
  if (mode === 'claims') {
    const claims = params.get('claims');
    if (!claims) throw new Error('The claims challenge is missing.');
    await msal.acquireTokenRedirect({ scopes: [config.apiScope], claims: decodeClaims(claims), ...hint });
  } else {
    await msal.acquireTokenRedirect({ scopes: [GRAPH_DEFAULT_SCOPE], prompt: 'consent', ...hint });
  }
}

export type AuthEndOutcome = { ok: true; result: string; adminConsent: boolean } | { ok: false; message: string; adminConsent: boolean };

/** Reads what came back to /auth/end: an admin consent answer, or an msal-browser redirect response. */
export async function readAuthEnd(mode: PopupMode | undefined, search: string = window.location.search): Promise<AuthEndOutcome> {
  const params = new URLSearchParams(search);
  if (params.has('admin_consent') || params.get('state') === 'admin-consent') {
    if (params.get('admin_consent')?.toLowerCase() === 'true') return { ok: true, result: 'admin-consent', adminConsent: true };
    const description = params.get('error_description')?.split(/\r?\n| Trace ID:/)[0];
    return { ok: false, message: description || 'Switchboard was not approved for your organisation.', adminConsent: true };
  }
  const config = await fetchTabConfig();
  const msal = createMsal(config, { redirectPath: '/auth/end' });
  await msal.initialize();
  try {
    const result = await msal.handleRedirectPromise({ navigateToLoginRequestUrl: false });
    if (!result) return { ok: false, message: 'There was no sign-in response to finish.', adminConsent: false };
    // For a claims challenge the new API token itself goes back; for consent the approval is what counts.
    return { ok: true, result: mode === 'claims' ? result.accessToken : 'consented', adminConsent: false };
  } catch (err) {
    return { ok: false, message: describeAuthError(err), adminConsent: false };
  }
}

/** The mode (once) when this window is the Teams pop-up that /auth/start began; undefined otherwise. */
export function takePopupMarker(): PopupMode | undefined {
  const mode = sessionStorage.getItem(POPUP_MARKER);
  sessionStorage.removeItem(POPUP_MARKER);
  return mode === 'consent' || mode === 'claims' || mode === 'admin-consent' ? mode : undefined;
}

/** Hands the outcome to the tab waiting in authentication.authenticate(). */
export async function reportToTeams(outcome: AuthEndOutcome): Promise<void> {
  const teams = await loadTeamsSdk();
  await teams.app.initialize();
  if (outcome.ok) teams.authentication.notifySuccess(outcome.result);
  else teams.authentication.notifyFailure(outcome.message);
}
