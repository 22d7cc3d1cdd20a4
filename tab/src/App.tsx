import { FluentProvider, Spinner, Text, Title1, makeStyles, teamsDarkTheme, teamsLightTheme, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { fetchServerStatus, type ServerStatus } from './server-status';

const useStyles = makeStyles({
  root: { minHeight: '100vh', padding: tokens.spacingHorizontalXXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

function prefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/** The tab's shell. Sign-in, directory, devices and admin pages arrive with the tab issue. */
export function App() {
  const styles = useStyles();
  const [status, setStatus] = useState<ServerStatus | { error: string } | undefined>();

  useEffect(() => {
    const abort = new AbortController();
    fetchServerStatus(abort.signal).then(setStatus, (err: unknown) => {
      if (!abort.signal.aborted) setStatus({ error: err instanceof Error ? err.message : String(err) });
    });
    return () => abort.abort();
  }, []);

  return (
    <FluentProvider theme={prefersDark() ? teamsDarkTheme : teamsLightTheme}>
      <main className={styles.root}>
        <Title1 as="h1">Switchboard</Title1>
        <Text>Your company directory, filtered by the groups your administrator chose.</Text>
        {status === undefined && <Spinner size="tiny" label="Contacting the server…" />}
        {status && 'error' in status && <Text role="alert">The server is not reachable: {status.error}</Text>}
        {status && 'status' in status && (
          <Text data-testid="server-status">
            Server {status.status}, version {status.version}
          </Text>
        )}
      </main>
    </FluentProvider>
  );
}
