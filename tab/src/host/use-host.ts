import { useEffect, useState } from 'react';
import { isFramed } from './detect';
import { connectTeams, type TeamsHost } from './teams';

export type HostState =
  | { kind: 'detecting' }
  | { kind: 'browser' }
  | { kind: 'teams'; teams: TeamsHost }
  | { kind: 'failed'; message: string };

/** Where the tab runs: decided at once outside an iframe; inside one, once Teams has answered. */
export function useHost(): HostState {
  const [state, setState] = useState<HostState>(() => (isFramed() ? { kind: 'detecting' } : { kind: 'browser' }));
  useEffect(() => {
    if (state.kind !== 'detecting') return;
    let live = true;
    connectTeams().then(
      (teams) => live && setState({ kind: 'teams', teams }),
      (err: unknown) =>
        live &&
        setState({
          kind: 'failed',
          // Framed by something that is not Teams: sign-in redirects cannot work inside a foreign frame.
          message: `Switchboard could not connect to Microsoft Teams (${err instanceof Error ? err.message : String(err)}). Open it from Teams, or directly in a browser tab.`,
        }),
    );
    return () => {
      live = false;
    };
  }, [state.kind]);
  return state;
}
