import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

/**
 * /auth/callback, the tab's redirect URI: msal-browser's redirect bridge hands the response to the
 * page that asked (a silent-renewal iframe, or the tab page a redirect sign-in started from) without
 * loading the tab itself.
 */
export async function runCallback(): Promise<void> {
  try {
    await broadcastResponseToMainFrame();
  } catch {
    // Opened by hand, or a stale response: nothing to hand over, so go to the tab, which signs in afresh.
    window.location.replace('/');
  }
}
