import { Body1, Button, MessageBar, MessageBarBody, MessageBarTitle, Title2, makeStyles, tokens, useRestoreFocusTarget } from '@fluentui/react-components';
import { useState } from 'react';
import type { DeviceSummaryJson, DevicesResponse, EnrollmentResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { ConnectDeviceDialog } from '../components/ConnectDeviceDialog';
import { DeviceTable } from '../components/DeviceTable';
import { RevokeDeviceDialog } from '../components/RevokeDeviceDialog';
import { ErrorPanel, Loading } from '../components/StatePanels';
import { useResource } from '../hooks/use-resource';
import { apiErrorCode, errorMessage } from '../util/errors';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '60rem' },
  header: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, alignItems: 'center', justifyContent: 'space-between' },
  heading: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  title: { margin: 0 },
  intro: { color: tokens.colorNeutralForeground2, margin: 0 },
});

/** My devices: the list, revoke with confirmation, and "Connect a device" (QR code and link). */
export function DevicesPage({ api, refreshKey }: { api: ApiClient; refreshKey: number }) {
  const styles = useStyles();
  const devices = useResource<DevicesResponse>(api, '/devices', refreshKey);
  const [enrollment, setEnrollment] = useState<EnrollmentResponse>();
  const [connecting, setConnecting] = useState(false);
  const [connectError, setConnectError] = useState<unknown>();
  const [revoking, setRevoking] = useState<DeviceSummaryJson>();
  const list = devices.data?.devices;
  // Dialogs opened from here hand focus back to their button when they close.
  const restoreFocus = useRestoreFocusTarget();

  const connect = async () => {
    setConnecting(true);
    setConnectError(undefined);
    try {
      setEnrollment(await api.send<EnrollmentResponse>('POST', '/devices'));
    } catch (err) {
      setConnectError(err);
    } finally {
      setConnecting(false);
    }
  };

  return (
    <div className={styles.page}>
      <div className={styles.header}>
        <div className={styles.heading}>
          <Title2 as="h2" className={styles.title}>
            My devices
          </Title2>
          <Body1 as="p" className={styles.intro}>
            Phones, tablets and computers that show your company contacts in their own address book, kept up to date.
          </Body1>
        </div>
        <Button appearance="primary" onClick={connect} disabled={connecting} data-testid="connect-device" {...restoreFocus}>
          {connecting ? 'Creating a link…' : 'Connect a device'}
        </Button>
      </div>
      {connectError !== undefined && <ConnectProblem error={connectError} />}
      {devices.status === 'error' && <ErrorPanel title="Your devices could not be loaded" error={devices.error} onRetry={devices.reload} />}
      {list === undefined ? (
        devices.status === 'loading' && <Loading label="Loading your devices…" />
      ) : list.length === 0 ? (
        <Body1 data-testid="devices-empty">No devices are connected yet. Connect one to have your colleagues in its contacts app.</Body1>
      ) : (
        <DeviceTable devices={list} onRevoke={setRevoking} restoreFocus={restoreFocus} />
      )}
      <ConnectDeviceDialog
        enrollment={enrollment}
        api={api}
        knownDeviceIds={(list ?? []).map((d) => d.id)}
        onClose={() => {
          setEnrollment(undefined);
          devices.reload();
        }}
      />
      <RevokeDeviceDialog
        device={revoking}
        api={api}
        onCancel={() => setRevoking(undefined)}
        onDone={() => {
          setRevoking(undefined);
          devices.reload();
        }}
      />
    </div>
  );
}

/** Why no link could be made, in words that say what to do. */
function ConnectProblem({ error }: { error: unknown }) {
  const code = apiErrorCode(error);
  const [title, text] =
    code === 'NoAccess'
      ? ['You cannot connect devices', 'Your administrator has not included you in a group that receives contacts, so there is nothing to send to a device.']
      : code === 'TooManyDevices'
        ? ['Too many devices', `${errorMessage(error)}`]
        : ['No link could be created', errorMessage(error)];
  return (
    <MessageBar intent={code === 'NoAccess' || code === 'TooManyDevices' ? 'warning' : 'error'} layout="multiline" data-testid="connect-problem" data-code={code ?? ''}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {text}
      </MessageBarBody>
    </MessageBar>
  );
}
