import { makeStyles, MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { AdminDevicesResponse, AdminSyncResponse } from '../../../src/server/tab-api-types';
import { ApiRequestError, type ApiClient } from '../api/client';
import { errorText, formatCount, formatWhen, isAbort } from './format';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalXL, rowGap: tokens.spacingVerticalXS, margin: 0 },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, fontWeight: tokens.fontWeightSemibold },
  heading: { margin: 0 },
  wrap: { overflowX: 'auto' },
  part: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** Devices connected over CardDAV: totals, and per user when the server offers it. */
export function DevicesSection({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [counts, setCounts] = useState<AdminSyncResponse['devices']>();
  const [users, setUsers] = useState<AdminDevicesResponse['users'] | null>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const abort = new AbortController();
    api.get<AdminSyncResponse>('/admin/sync', { signal: abort.signal }).then(
      (res) => setCounts(res.devices),
      (err: unknown) => {
        if (!abort.signal.aborted && !isAbort(err)) setError(errorText(err));
      },
    );
    api.get<AdminDevicesResponse>('/admin/devices', { signal: abort.signal }).then(
      (res) => setUsers(Array.isArray(res?.users) ? res.users : null),
      (err: unknown) => {
        if (abort.signal.aborted || isAbort(err)) return;
        // 404 (or a non-JSON answer): this server has no per-user device list; the totals are enough.
        setUsers(null);
        if (err instanceof ApiRequestError && err.status !== 404 && err.status !== 405) setError(errorText(err));
      },
    );
    return () => abort.abort();
  }, [api]);

  return (
    <div className={styles.root}>
      {error && (
        <MessageBar intent="error" data-testid="admin-devices-error">
          <MessageBarBody>Device figures could not be loaded: {error}</MessageBarBody>
        </MessageBar>
      )}
      {!counts && !error && <Spinner label="Loading device counts…" />}
      {counts && (
        <dl className={styles.facts}>
          <dt className={styles.term}>Connected devices</dt>
          <dd className={styles.value} data-testid="admin-devices-count" data-value={counts.devices}>
            {formatCount(counts.devices)}
          </dd>
          <dt className={styles.term}>Users with a device</dt>
          <dd className={styles.value} data-testid="admin-devices-users" data-value={counts.users}>
            {formatCount(counts.users)}
          </dd>
          <dt className={styles.term}>Devices per user</dt>
          <dd className={styles.value}>{counts.users ? formatCount(Math.round((counts.devices / counts.users) * 10) / 10) : '—'}</dd>
        </dl>
      )}
      {users && (
        <section className={styles.part} aria-labelledby="admin-devices-users-heading">
          <Text as="h4" id="admin-devices-users-heading" size={400} weight="semibold" className={styles.heading}>
            By user
          </Text>
          {users.length === 0 ? (
            <Text>Nobody has connected a device yet.</Text>
          ) : (
            <div className={styles.wrap}>
              <Table size="small" aria-label="Devices by user" data-testid="admin-devices-table">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>User</TableHeaderCell>
                    <TableHeaderCell>Devices</TableHeaderCell>
                    <TableHeaderCell>Last seen</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {users.map((u) => (
                    <TableRow key={u.userId} data-testid="admin-devices-row" data-user-id={u.userId}>
                      <TableCell>{u.name ?? u.userId}</TableCell>
                      <TableCell>{formatCount(u.devices)}</TableCell>
                      <TableCell>{u.lastSeenAt ? formatWhen(u.lastSeenAt) : 'never'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
