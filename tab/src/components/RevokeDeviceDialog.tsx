import { Body1, Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useState } from 'react';
import type { DeviceSummaryJson } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { errorMessage } from '../util/errors';

/** Asks before revoking: a revoked device cannot sync again and needs a new link to come back. */
export function RevokeDeviceDialog({ device, api, onDone, onCancel }: { device: DeviceSummaryJson | undefined; api: ApiClient; onDone: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const revoke = async () => {
    if (!device) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.send('DELETE', `/devices/${encodeURIComponent(device.id)}`);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={device !== undefined} onOpenChange={(_, data) => !data.open && !busy && onCancel()}>
      <DialogSurface data-testid="revoke-dialog">
        <DialogBody>
          <DialogTitle>Revoke {device?.name}?</DialogTitle>
          <DialogContent>
            <Body1>It stops receiving company contacts at once. To connect it again later, you will need a new link.</Body1>
            {error !== undefined && (
              <MessageBar intent="error">
                <MessageBarBody>{errorMessage(error)}</MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
            <Button appearance="primary" onClick={revoke} disabled={busy} data-testid="revoke-confirm">
              Revoke
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
