import { FluentProvider, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorPanel, Loading } from './components/StatePanels';
import { useHost } from './host/use-host';
import { SignedIn } from './shell/SignedIn';
import { fluentTheme } from './theme/themes';
import { useThemeName } from './theme/use-theme';

const useStyles = makeStyles({
  // On a div inside the provider: Fluent copies the provider's own classes onto every portal (menus,
  // dialogs, listboxes), so a full-height background there would cover the page.
  page: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground1 },
  pad: { padding: tokens.spacingHorizontalXXL },
});

/** The tab: find the host (Teams or a browser), theme accordingly, then sign in and show the pages. */
export function App() {
  const styles = useStyles();
  const host = useHost();
  const theme = useThemeName(host);
  return (
    <FluentProvider theme={fluentTheme(theme)} data-theme={theme} data-host={host.kind}>
      <div className={styles.page}>
        {host.kind === 'detecting' ? (
          <Loading label="Connecting to Microsoft Teams…" />
        ) : host.kind === 'failed' ? (
          <div className={styles.pad}>
            <ErrorPanel title="Switchboard cannot start here" error={new Error(host.message)} />
          </div>
        ) : (
          <SignedIn host={host} />
        )}
      </div>
    </FluentProvider>
  );
}
