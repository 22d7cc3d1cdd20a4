import { Body1, Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import type { HostState } from '../host/use-host';
import { useSession } from '../auth/use-session';
import { ErrorPanel, Loading } from '../components/StatePanels';
import { Shell } from './Shell';

const useStyles = makeStyles({
  pad: { padding: tokens.spacingHorizontalXXL },
});

/** Signs in for the host, then shows the tab; the states in between each say what is happening. */
export function SignedIn({ host }: { host: Extract<HostState, { kind: 'browser' | 'teams' }> }) {
  const styles = useStyles();
  const { state, retry } = useSession(host);
  switch (state.kind) {
    case 'starting':
    case 'redirecting':
      return <Loading label={state.kind === 'redirecting' ? 'Taking you to sign in…' : 'Signing you in…'} />;
    case 'ready':
      return <Shell session={state.session} />;
    case 'signed-out':
      return (
        <div className={styles.pad}>
          <MessageBar intent="warning" layout="multiline" data-testid="signed-out">
            <MessageBarBody>
              <MessageBarTitle>You are not signed in</MessageBarTitle>
              <Body1>{state.notice}</Body1>
            </MessageBarBody>
            <MessageBarActions>
              <Button appearance="primary" onClick={() => void state.signIn()}>
                Sign in
              </Button>
            </MessageBarActions>
          </MessageBar>
        </div>
      );
    case 'failed':
      return (
        <div className={styles.pad}>
          <ErrorPanel title="Switchboard could not sign you in" error={state.error} onRetry={retry} />
        </div>
      );
  }
}
