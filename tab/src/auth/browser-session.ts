import { InteractionRequiredAuthError, type AccountInfo, type PublicClientApplication } from '@azure/msal-browser';
import { adminConsentUrl, decodeClaims, GRAPH_DEFAULT_SCOPE, type AuthChallenge } from './consent';
import { createMsal, describeAuthError, tenantAuthority } from './msal-app';
import type { Session } from './session';
import type { TabConfig } from './tab-config';

/** The outcome of starting sign-in in a plain browser. */
export type BrowserSignIn =
  | { kind: 'signed-in'; session: Session }
  /** MSAL is taking the page to the sign-in page; nothing more to render. */
  | { kind: 'redirecting' }
  /** The last attempt came back with an error (e.g. cancelled): show it, and sign in again on request. */
  | { kind: 'signed-out'; notice: string; signIn: () => Promise<void> };

/** A promise for a page that is navigating away: it must not resolve into a state update. */
const navigatingAway = () => new Promise<never>(() => undefined);

/**
 * Sign-in outside Teams with msal-browser's redirect flow: handle a response coming back (via
 * /auth/callback), reuse the cached account, or send the person to their organisation's sign-in page
 * (which also lets them pick an account).
 */
export async function startBrowserSignIn(config: TabConfig): Promise<BrowserSignIn> {
  const msal = createMsal(config, { redirectPath: '/auth/callback' });
  await msal.initialize();
  let notice: string | undefined;
  let account: AccountInfo | null = null;
  try {
    account = (await msal.handleRedirectPromise())?.account ?? null;
  } catch (err) {
    notice = describeAuthError(err);
  }
  account ??= msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;
  const signIn = () => msal.loginRedirect({ scopes: [config.apiScope] });
  if (!account) {
    // Redirecting again after a refusal would loop; let the person choose to try again.
    if (notice) return { kind: 'signed-out', notice, signIn };
    await signIn();
    return { kind: 'redirecting' };
  }
  msal.setActiveAccount(account);
  return { kind: 'signed-in', session: browserSession(msal, config, account, notice) };
}

function browserSession(msal: PublicClientApplication, config: TabConfig, account: AccountInfo, notice: string | undefined): Session {
  const authority = tenantAuthority(config, account.tenantId);
  const redirect = async (request: Parameters<PublicClientApplication['acquireTokenRedirect']>[0]): Promise<never> => {
    await msal.acquireTokenRedirect({ account, authority, ...request });
    return navigatingAway();
  };
  return {
    host: 'browser',
    account: { name: account.name ?? null, username: account.username || null, tenantId: account.tenantId || null },
    notice,
    async token() {
      try {
        return (await msal.acquireTokenSilent({ scopes: [config.apiScope], account, authority })).accessToken;
      } catch (err) {
        // The session at the identity provider is gone (or needs a prompt): sign in again, coming back here.
        if (err instanceof InteractionRequiredAuthError) return redirect({ scopes: [config.apiScope] });
        throw err;
      }
    },
    resolveChallenge(challenge: AuthChallenge) {
      return challenge.kind === 'consent'
        ? redirect({ scopes: [GRAPH_DEFAULT_SCOPE], prompt: 'consent' })
        : redirect({ scopes: [config.apiScope], claims: decodeClaims(challenge.claims) });
    },
    adminConsentUrl: account.tenantId ? adminConsentUrl(config, account.tenantId) : undefined,
    async approveForOrganisation() {
      if (!account.tenantId) return;
      window.location.assign(adminConsentUrl(config, account.tenantId));
      return navigatingAway();
    },
    openTeamsLink(url) {
      window.open(url, '_blank', 'noopener,noreferrer');
    },
  };
}
