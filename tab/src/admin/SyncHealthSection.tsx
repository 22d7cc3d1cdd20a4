import { Badge, Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Text, tokens } from '@fluentui/react-components';
import type { AdminSyncResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { formatCount, formatDuration, formatWhen, plural } from './format';
import { RunStatusBadge, SyncRunsTable } from './SyncRunsTable';
import { useSyncStatus } from './useSyncStatus';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  actions: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  heading: { margin: 0 },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalXL, rowGap: tokens.spacingVerticalXS, margin: 0 },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0 },
  error: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  missing: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  part: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

// The server sends the reason code (LapseReason in src/auth/auth-errors.ts); each says what happened
// and what resumes sync, since only a sign-in by a consented user can.
const LAPSE_REASONS: Record<string, string> = {
  'no-grant': 'No consented user has signed in to Switchboard yet.',
  'not-in-cache': 'The stored sign-in was lost; it returns at the next sign-in of an administrator.',
  'refresh-token-expired': 'The stored sign-in expired (unused for too long, or revoked).',
  'refresh-token-revoked': 'The account\'s password changed or its sessions were revoked.',
  'account-disabled': 'The account is disabled.',
  'account-deleted': 'The account no longer exists in the directory.',
  'consent-revoked': 'Consent for Switchboard was withdrawn; an administrator must grant it again.',
  'interaction-required': 'The account must complete multi-factor authentication or another sign-in step.',
  rejected: 'Microsoft Entra ID refused the stored sign-in.',
};

function describeLapse(lapsed: string): string {
  return `${LAPSE_REASONS[lapsed] ?? `Sync has stopped (${lapsed}).`} Sync resumes when an administrator opens Switchboard.`;
}

function ConsentBadge({ consent }: { consent: string }) {
  if (consent === 'granted') return <Badge color="success">Granted</Badge>;
  if (consent === 'missing') return <Badge color="danger">Missing</Badge>;
  return <Badge color="informative">{consent === 'unknown' ? 'Unknown' : consent}</Badge>;
}

function LastRound({ status }: { status: AdminSyncResponse }) {
  const styles = useStyles();
  const run = status.runs[0];
  if (!run) return <Text data-testid="admin-sync-last">No sync round has run yet.</Text>;
  return (
    <dl className={styles.facts} data-testid="admin-sync-last" data-status={run.status}>
      <dt className={styles.term}>Started</dt>
      <dd className={styles.value}>{formatWhen(run.startedAt)}</dd>
      <dt className={styles.term}>Finished</dt>
      <dd className={styles.value}>{run.finishedAt ? formatWhen(run.finishedAt) : 'still running'}</dd>
      <dt className={styles.term}>Duration</dt>
      <dd className={styles.value}>{formatDuration(run.durationMs)}</dd>
      <dt className={styles.term}>Mode</dt>
      <dd className={styles.value}>
        {run.mode} ({run.trigger})
      </dd>
      <dt className={styles.term}>Status</dt>
      <dd className={styles.value}>
        <RunStatusBadge status={run.status} />
      </dd>
      <dt className={styles.term}>Graph requests</dt>
      <dd className={styles.value}>{formatCount(run.graphRequests)}</dd>
      <dt className={styles.term}>Throttled</dt>
      <dd className={styles.value}>{formatCount(run.throttled)}</dd>
      <dt className={styles.term}>Changes</dt>
      <dd className={styles.value}>
        {plural(run.usersChanged, 'user')}, {plural(run.groupsChanged, 'group')}, {plural(run.contactChanges, 'contact')}
      </dd>
      {run.error && (
        <>
          <dt className={styles.term}>Error</dt>
          <dd className={`${styles.value} ${styles.error}`} data-testid="admin-sync-last-error">
            {run.error}
          </dd>
        </>
      )}
    </dl>
  );
}

/** Sync health: consent, whose grant the background sync uses, the last round and recent ones, "Run sync now". */
export function SyncHealthSection({ api, onShowPolicy }: { api: ApiClient; onShowPolicy?: () => void }) {
  const styles = useStyles();
  const sync = useSyncStatus(api);
  const { status } = sync;
  const running = !!status?.running || sync.watching;

  return (
    <div className={styles.root}>
      <div className={styles.actions}>
        <Button appearance="primary" onClick={sync.runNow} disabled={sync.starting || running} data-testid="admin-sync-now">
          Run sync now
        </Button>
        <Button onClick={sync.refresh} data-testid="admin-sync-refresh">
          Refresh
        </Button>
        {running && <Spinner size="tiny" labelPosition="after" label="A sync round is running…" data-testid="admin-sync-running" />}
      </div>
      <div aria-live="polite">
        {sync.notice && (
          <MessageBar intent={sync.notice.intent} data-testid="admin-sync-message" data-intent={sync.notice.intent}>
            <MessageBarBody>{sync.notice.text}</MessageBarBody>
          </MessageBar>
        )}
      </div>
      {sync.loadError && (
        <MessageBar intent="error" data-testid="admin-sync-load-error">
          <MessageBarBody>
            <MessageBarTitle>Sync health could not be loaded</MessageBarTitle>
            {sync.loadError}
          </MessageBarBody>
        </MessageBar>
      )}
      {!status && !sync.loadError && <Spinner label="Loading sync health…" />}
      {status && (
        <>
          <dl className={styles.facts}>
            <dt className={styles.term}>Admin consent</dt>
            <dd className={styles.value} data-testid="admin-sync-consent" data-consent={status.consent}>
              <ConsentBadge consent={status.consent} />
            </dd>
            <dt className={styles.term}>Background sync runs on the grant of</dt>
            <dd className={styles.value} data-testid="admin-sync-account">
              {status.syncAccount ? `${status.syncAccount.name ?? 'an unnamed account'}${status.syncAccount.isAdmin ? ' (administrator)' : ''}` : 'nobody yet'}
            </dd>
            <dt className={styles.term}>Directory</dt>
            <dd className={styles.value}>
              <span data-testid="admin-directory-users" data-value={status.directory.users}>
                {formatCount(status.directory.users)} users
              </span>
              ,{' '}
              <span data-testid="admin-directory-groups" data-value={status.directory.groups}>
                {formatCount(status.directory.groups)} groups
              </span>
            </dd>
            <dt className={styles.term}>Devices</dt>
            <dd className={styles.value} data-testid="admin-sync-devices">
              {plural(status.devices.devices, 'device')} of {plural(status.devices.users, 'user')}
            </dd>
          </dl>
          {status.consent === 'missing' && (
            <MessageBar intent="error" layout="multiline" data-testid="admin-sync-consent-missing">
              <MessageBarBody>
                <MessageBarTitle>Admin consent is missing</MessageBarTitle>
                Switchboard cannot read the directory until a Global Administrator grants consent for the organisation.
              </MessageBarBody>
            </MessageBar>
          )}
          {!status.syncAccount && (
            <MessageBar intent="warning" layout="multiline" data-testid="admin-sync-no-account">
              <MessageBarBody>Background sync has no account to run on yet. It starts once an administrator signs in to Switchboard.</MessageBarBody>
            </MessageBar>
          )}
          {status.syncAccount?.lapsed && (
            <MessageBar intent="warning" layout="multiline" data-testid="admin-sync-lapsed">
              <MessageBarBody>
                <MessageBarTitle>The grant background sync runs on has lapsed</MessageBarTitle>
                {describeLapse(status.syncAccount.lapsed)} The directory is not kept current until {status.syncAccount.name ?? 'that account'} or another administrator
                signs in to Switchboard again.
              </MessageBarBody>
            </MessageBar>
          )}
          {status.missingGroups.length > 0 && (
            <MessageBar intent="warning" layout="multiline" data-testid="admin-sync-missing-groups">
              <MessageBarBody>
                <MessageBarTitle>Groups in the policy are no longer in the directory</MessageBarTitle>
                They have no members, so nobody receives or sees contacts through them. Remove or replace them under Groups &amp; policy.
                <ul className={styles.missing}>
                  {status.missingGroups.map((id) => (
                    <li key={id}>{id}</li>
                  ))}
                </ul>
              </MessageBarBody>
              {onShowPolicy && (
                <MessageBarActions>
                  <Button onClick={onShowPolicy}>Open Groups &amp; policy</Button>
                </MessageBarActions>
              )}
            </MessageBar>
          )}
          <section className={styles.part} aria-labelledby="admin-sync-last-heading">
            <Text as="h4" id="admin-sync-last-heading" size={400} weight="semibold" className={styles.heading}>
              Last round
            </Text>
            <LastRound status={status} />
          </section>
          <section className={styles.part} aria-labelledby="admin-sync-runs-heading">
            <Text as="h4" id="admin-sync-runs-heading" size={400} weight="semibold" className={styles.heading}>
              Recent rounds
            </Text>
            <SyncRunsTable runs={status.runs} />
          </section>
        </>
      )}
    </div>
  );
}
