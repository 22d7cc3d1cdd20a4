import { Caption1, MessageBar, MessageBarBody, Tab, TabList, Title3, makeStyles, tokens } from '@fluentui/react-components';
import { Suspense, lazy, useMemo } from 'react';
import type { MeResponse } from '../../../src/server/tab-api-types';
import { ApiClient } from '../api/client';
import type { Session } from '../auth/session';
import { ChallengePanel, isChallenge } from '../components/ChallengePanel';
import { OfflineBanner } from '../components/OfflineBanner';
import { ErrorPanel, Loading } from '../components/StatePanels';
import { useOnline } from '../hooks/use-online';
import { useResource } from '../hooks/use-resource';
import { DevicesPage } from '../pages/DevicesPage';
import { DirectoryPage } from '../pages/DirectoryPage';
import { useRoute, type PageId } from './routes';

// Only administrators open it: loaded on demand so everyone else never downloads it.
const AdminPage = lazy(() => import('../admin/AdminPage').then((m) => ({ default: m.AdminPage })));

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100vh', boxSizing: 'border-box', backgroundColor: tokens.colorNeutralBackground2 },
  header: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalL, paddingInline: tokens.spacingHorizontalXL, paddingTop: tokens.spacingVerticalM },
  title: { margin: 0 },
  user: { marginInlineStart: 'auto', color: tokens.colorNeutralForeground2 },
  nav: { paddingInline: tokens.spacingHorizontalL },
  banners: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, paddingInline: tokens.spacingHorizontalXL },
  main: { flex: 1, minHeight: 0, overflow: 'auto', padding: tokens.spacingHorizontalXL, backgroundColor: tokens.colorNeutralBackground1 },
  panel: { height: '100%' },
});

const TAB_LABELS: Record<PageId, string> = { directory: 'Directory', devices: 'My devices', admin: 'Admin' };

/** The signed-in tab: who you are, the pages you may open, and the page itself. */
export function Shell({ session }: { session: Session }) {
  const styles = useStyles();
  const api = useMemo(() => new ApiClient(session.token), [session]);
  const { online, reconnects } = useOnline();
  const me = useResource<MeResponse>(api, '/me', reconnects);
  const [page, navigate] = useRoute();
  const pages: PageId[] = me.data?.isAdmin ? ['directory', 'devices', 'admin'] : ['directory', 'devices'];

  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <Title3 as="h1" className={styles.title}>
          Switchboard
        </Title3>
        <Caption1 className={styles.user} data-testid="signed-in-user">
          {me.data?.user.name ?? session.account.name ?? session.account.username ?? ''}
        </Caption1>
      </header>
      {me.data && (
        <nav className={styles.nav} aria-label="Switchboard">
          <TabList selectedValue={page} onTabSelect={(_, data) => navigate(data.value as PageId)}>
            {pages.map((id) => (
              <Tab key={id} value={id} id={`tab-${id}`} data-testid={`tab-${id}`}>
                {TAB_LABELS[id]}
              </Tab>
            ))}
          </TabList>
        </nav>
      )}
      <div className={styles.banners}>
        {!online && <OfflineBanner />}
        {session.notice && (
          <MessageBar intent="warning" data-testid="sign-in-notice">
            <MessageBarBody>{session.notice}</MessageBarBody>
          </MessageBar>
        )}
      </div>
      <main className={styles.main}>
        <div className={styles.panel} {...(me.data ? { role: 'tabpanel', 'aria-labelledby': `tab-${page}` } : {})}>
          <Content page={page} me={me} api={api} session={session} refreshKey={reconnects} />
        </div>
      </main>
    </div>
  );
}

function Content(props: { page: PageId; me: ReturnType<typeof useResource<MeResponse>>; api: ApiClient; session: Session; refreshKey: number }) {
  const { page, me, api, session, refreshKey } = props;
  if (me.status === 'error' && isChallenge(me.error)) return <ChallengePanel error={me.error} session={session} onRetry={me.reload} />;
  if (!me.data) {
    return me.status === 'error' ? <ErrorPanel title="Switchboard could not load your account" error={me.error} onRetry={me.reload} /> : <Loading label="Loading your directory…" />;
  }
  switch (page) {
    case 'directory':
      return <DirectoryPage api={api} session={session} me={me.data} refreshKey={refreshKey} />;
    case 'devices':
      return <DevicesPage api={api} refreshKey={refreshKey} />;
    case 'admin':
      return me.data.isAdmin ? (
        <Suspense fallback={<Loading label="Loading the admin settings…" />}>
          <AdminPage api={api} me={me.data} />
        </Suspense>
      ) : (
        <ErrorPanel testId="admin-only" title="Administrators only" error={new Error('The admin settings are for administrators of your organisation.')} />
      );
  }
}
