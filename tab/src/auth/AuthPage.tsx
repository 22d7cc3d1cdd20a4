import { Body1, Link, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { readAuthEnd, reportToTeams, runAuthStart, takePopupMarker, type AuthEndOutcome } from './popup';

const useStyles = makeStyles({
  root: { maxWidth: '36rem', margin: '0 auto', padding: tokens.spacingHorizontalXXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
});

type View = { kind: 'working' } | { kind: 'reported' } | { kind: 'outcome'; outcome: AuthEndOutcome } | { kind: 'error'; message: string };

// Each runs once per page load, even when React mounts the page twice (StrictMode).
let started: Promise<View> | undefined;

function start(path: string): Promise<View> {
  started ??=
    path === '/auth/start'
      ? runAuthStart().then((): View => ({ kind: 'working' }))
      : (async (): Promise<View> => {
          const mode = takePopupMarker();
          const outcome = await readAuthEnd(mode);
          if (!mode) return { kind: 'outcome', outcome };
          await reportToTeams(outcome);
          return { kind: 'reported' };
        })();
  return started;
}

/** /auth/start and /auth/end: the sign-in pages of the Teams consent pop-up, and the admin consent return page. */
export function AuthPage({ path }: { path: string }) {
  const styles = useStyles();
  const [view, setView] = useState<View>({ kind: 'working' });
  useEffect(() => {
    let live = true;
    start(path).then(
      (v) => live && setView(v),
      (err: unknown) => live && setView({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [path]);

  return (
    <main className={styles.root} data-testid="auth-page">
      <Title2 as="h1">Switchboard sign-in</Title2>
      {view.kind === 'working' && <Spinner label="Taking you to your organisation's sign-in page…" />}
      {view.kind === 'reported' && <Body1>Done. You can close this window.</Body1>}
      {view.kind === 'error' && (
        <MessageBar intent="error">
          <MessageBarBody>{view.message}</MessageBarBody>
        </MessageBar>
      )}
      {view.kind === 'outcome' && <Outcome outcome={view.outcome} />}
    </main>
  );
}

function Outcome({ outcome }: { outcome: AuthEndOutcome }) {
  return (
    <>
      <MessageBar intent={outcome.ok ? 'success' : 'warning'} data-testid="auth-outcome">
        <MessageBarBody>
          <MessageBarTitle>{outcome.ok ? (outcome.adminConsent ? 'Switchboard is approved for your organisation' : 'Signed in') : 'Not approved'}</MessageBarTitle>
          {outcome.ok
            ? outcome.adminConsent
              ? 'Everyone in your organisation can now use Switchboard. It shows contacts once an administrator has chosen the groups that receive them.'
              : 'You can go back to Switchboard.'
            : outcome.message}
        </MessageBarBody>
      </MessageBar>
      <Link href="/">Open Switchboard</Link>
    </>
  );
}
