import { Badge, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { SyncRunJson } from '../../../src/server/tab-api-types';
import { formatCount, formatDuration, formatWhen } from './format';

const useStyles = makeStyles({
  wrap: { overflowX: 'auto' },
  table: { tableLayout: 'auto' },
  error: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
});

export function RunStatusBadge({ status }: { status: SyncRunJson['status'] }) {
  const color = status === 'succeeded' ? 'success' : status === 'failed' ? 'danger' : 'informative';
  return (
    <Badge appearance="tint" color={color} data-testid="admin-sync-run-status">
      {status}
    </Badge>
  );
}

/** Recent sync rounds, newest first. */
export function SyncRunsTable({ runs }: { runs: readonly SyncRunJson[] }) {
  const styles = useStyles();
  if (runs.length === 0) return <Text data-testid="admin-sync-no-runs">No sync round has run yet.</Text>;
  return (
    <div className={styles.wrap}>
      <Table size="small" className={styles.table} aria-label="Recent sync rounds, newest first" data-testid="admin-sync-runs">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Started</TableHeaderCell>
            <TableHeaderCell>Trigger</TableHeaderCell>
            <TableHeaderCell>Mode</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell>Duration</TableHeaderCell>
            <TableHeaderCell>Graph requests</TableHeaderCell>
            <TableHeaderCell>Throttled</TableHeaderCell>
            <TableHeaderCell>Users / groups / contacts changed</TableHeaderCell>
            <TableHeaderCell>Error</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {runs.map((run) => (
            <TableRow key={run.id} data-testid="admin-sync-run" data-status={run.status}>
              <TableCell>{formatWhen(run.startedAt)}</TableCell>
              <TableCell>{run.trigger}</TableCell>
              <TableCell>{run.mode}</TableCell>
              <TableCell>
                <RunStatusBadge status={run.status} />
              </TableCell>
              <TableCell>{formatDuration(run.durationMs)}</TableCell>
              <TableCell>{formatCount(run.graphRequests)}</TableCell>
              <TableCell>{formatCount(run.throttled)}</TableCell>
              <TableCell>
                {formatCount(run.usersChanged)} / {formatCount(run.groupsChanged)} / {formatCount(run.contactChanges)}
              </TableCell>
              <TableCell className={styles.error}>{run.error ?? ''}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
