import { useCallback, useEffect, useState } from 'react';
import type { HostState } from '../host/use-host';
import type { BrowserSignIn } from './browser-session';
import type { Session } from './session';
import { fetchTabConfig } from './tab-config';
import { teamsSession } from './teams-session';

export type SessionState =
  | { kind: 'starting' }
  | { kind: 'redirecting' }
  | { kind: 'ready'; session: Session }
  | { kind: 'signed-out'; notice: string; signIn: () => Promise<void> }
  | { kind: 'failed'; error: unknown };

let browserStart: Promise<BrowserSignIn> | undefined;

/**
 * Signs the person in for the host the tab runs in. The browser start is shared across mounts:
 * handleRedirectPromise consumes the response in the URL and must run once per page load.
 */
export function useSession(host: Extract<HostState, { kind: 'browser' | 'teams' }>): { state: SessionState; retry: () => void } {
  const [state, setState] = useState<SessionState>({ kind: 'starting' });
  const [attempt, setAttempt] = useState(0);
  const teams = host.kind === 'teams' ? host.teams : undefined;

  useEffect(() => {
    let live = true;
    const set = (s: SessionState) => live && setState(s);
    set({ kind: 'starting' });
    if (teams) {
      // In Teams the configuration only serves the admin consent link: sign-in works without it.
      fetchTabConfig().then(
        (config) => set({ kind: 'ready', session: teamsSession(teams, config) }),
        () => set({ kind: 'ready', session: teamsSession(teams, undefined) }),
      );
    } else {
      // msal-browser is loaded only outside Teams, where it is needed.
      browserStart ??= Promise.all([fetchTabConfig(), import('./browser-session')]).then(([config, m]) => m.startBrowserSignIn(config));
      browserStart.then(
        (result) => set(result.kind === 'signed-in' ? { kind: 'ready', session: result.session } : result),
        (error: unknown) => {
          browserStart = undefined;
          set({ kind: 'failed', error });
        },
      );
    }
    return () => {
      live = false;
    };
  }, [teams, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, retry };
}
