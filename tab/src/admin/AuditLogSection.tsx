import { Button, makeStyles, MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AdminAuditResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { errorText, formatWhen, isAbort } from './format';

type Entry = AdminAuditResponse['entries'][number];

const PAGE = 50;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  wrap: { overflowX: 'auto' },
  changes: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  when: { whiteSpace: 'nowrap' },
  note: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
  older: { alignSelf: 'flex-start' },
  table: { tableLayout: 'auto' },
});

/** Who changed what, newest first, a page at a time ("Load older"). */
export function AuditLogSection({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [entries, setEntries] = useState<Entry[]>();
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const lifetime = useRef<AbortController | null>(null);

  const load = useCallback(
    (before: number | null) => {
      const signal = lifetime.current?.signal;
      if (!signal) return;
      setLoading(true);
      setError(undefined);
      const query = `limit=${PAGE}${before === null ? '' : `&before=${before}`}`;
      api
        .get<AdminAuditResponse>(`/admin/audit?${query}`, { signal })
        .then(
          (res) => {
            setEntries((old) => (before === null ? res.entries : [...(old ?? []), ...res.entries]));
            setNextBefore(res.nextBefore);
          },
          (err: unknown) => {
            if (!signal.aborted && !isAbort(err)) setError(errorText(err));
          },
        )
        .finally(() => {
          if (!signal.aborted) setLoading(false);
        });
    },
    [api],
  );

  useEffect(() => {
    lifetime.current = new AbortController();
    load(null);
    return () => lifetime.current?.abort();
  }, [load]);

  return (
    <div className={styles.root}>
      <div className={styles.actions}>
        <Button onClick={() => load(null)} disabledFocusable={loading} data-testid="admin-audit-refresh">
          Refresh
        </Button>
        {loading && <Spinner size="tiny" labelPosition="after" label="Loading the audit log…" />}
      </div>
      {error && (
        <MessageBar intent="error" data-testid="admin-audit-error">
          <MessageBarBody>The audit log could not be loaded: {error}</MessageBarBody>
        </MessageBar>
      )}
      {entries && entries.length === 0 && <Text data-testid="admin-audit-empty">No changes have been made yet.</Text>}
      {entries && entries.length > 0 && (
        <div className={styles.wrap}>
          <Table size="small" className={styles.table} aria-label="Audit log, newest first" data-testid="admin-audit">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>Who</TableHeaderCell>
                <TableHeaderCell>Action</TableHeaderCell>
                <TableHeaderCell>Changes</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {entries.map((e) => (
                <TableRow key={e.id} data-testid="admin-audit-row" data-action={e.action}>
                  <TableCell className={styles.when}>
                    <time dateTime={e.at}>{formatWhen(e.at)}</time>
                  </TableCell>
                  <TableCell>{e.actor.name ?? e.actor.id}</TableCell>
                  <TableCell>
                    {e.action}
                    {e.target ? <Text className={styles.note}> ({e.target})</Text> : null}
                  </TableCell>
                  <TableCell>
                    {e.changes.length === 0 ? (
                      <Text className={styles.note}>—</Text>
                    ) : (
                      <ul className={styles.changes}>
                        {e.changes.map((line, i) => (
                          <li key={i}>{line}</li>
                        ))}
                      </ul>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {nextBefore !== null && entries && (
        <Button className={styles.older} onClick={() => load(nextBefore)} disabledFocusable={loading} data-testid="admin-audit-older">
          Load older
        </Button>
      )}
      {nextBefore === null && entries && entries.length > 0 && (
        <Text size={200} className={styles.note} data-testid="admin-audit-end">
          This is the oldest entry.
        </Text>
      )}
    </div>
  );
}
