import { Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens, type useRestoreFocusTarget } from '@fluentui/react-components';
import type { DeviceSummaryJson } from '../../../src/server/tab-api-types';
import { absoluteTime, relativeTime } from '../util/relative-time';

const useStyles = makeStyles({
  secondary: { display: 'block', color: tokens.colorNeutralForeground2 },
  // Named for screen readers; sighted users see the buttons themselves.
  visuallyHidden: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clipPath: 'inset(50%)', whiteSpace: 'nowrap' },
});

const PLATFORMS: Record<string, string> = { iphone: 'iPhone', ipad: 'iPad', mac: 'Mac', android: 'Android', other: 'Other (CardDAV)' };

export function platformLabel(platform: string): string {
  return PLATFORMS[platform] ?? platform;
}

/** The person's connected devices: what, which platform, when it last synced, and a revoke button each. */
export function DeviceTable(props: { devices: DeviceSummaryJson[]; onRevoke: (device: DeviceSummaryJson) => void; restoreFocus: ReturnType<typeof useRestoreFocusTarget> }) {
  const { devices, onRevoke, restoreFocus } = props;
  const styles = useStyles();
  return (
    <Table aria-label="Connected devices" data-testid="devices-table">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Device</TableHeaderCell>
          <TableHeaderCell>Platform</TableHeaderCell>
          <TableHeaderCell>Last seen</TableHeaderCell>
          <TableHeaderCell>
            <span className={styles.visuallyHidden}>Actions</span>
          </TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {devices.map((d) => (
          <TableRow key={d.id} data-testid="device-row" data-device-id={d.id}>
            <TableCell>
              <Text weight="semibold">{d.name}</Text>
              {d.clientName && <Text size={200} className={styles.secondary}>{d.clientName}</Text>}
            </TableCell>
            <TableCell>{platformLabel(d.platform)}</TableCell>
            <TableCell>
              {d.lastSeenAt ? (
                <time dateTime={d.lastSeenAt} title={absoluteTime(d.lastSeenAt)} data-testid="device-last-seen">
                  {relativeTime(d.lastSeenAt)}
                </time>
              ) : (
                <span data-testid="device-last-seen">Not synced yet</span>
              )}
            </TableCell>
            <TableCell>
              <Button onClick={() => onRevoke(d)} aria-label={`Revoke ${d.name}`} data-testid="device-revoke" {...restoreFocus}>
                Revoke
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
