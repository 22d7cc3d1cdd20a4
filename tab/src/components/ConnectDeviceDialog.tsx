import {
  Body1, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, MessageBar, MessageBarBody,
  MessageBarTitle, Subtitle2, makeStyles, tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { DeviceSummaryJson, DevicesResponse, EnrollmentResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { absoluteTime, relativeTime } from '../util/relative-time';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  qr: { alignSelf: 'center', width: '240px', height: '240px', imageRendering: 'pixelated', backgroundColor: '#fff', padding: tokens.spacingHorizontalS },
  linkRow: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end' },
  link: { flex: 1 },
  hints: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

/** How often the open dialog checks whether the new device has connected. */
const POLL_MS = 4_000;

/**
 * A fresh enrollment link as a QR code and as text (with a copy button), when it expires, and short
 * hints per platform. While open, it watches for the device to connect and says so.
 */
export function ConnectDeviceDialog(props: { enrollment: EnrollmentResponse | undefined; api: ApiClient; knownDeviceIds: string[]; onClose: () => void }) {
  const { enrollment, api, knownDeviceIds, onClose } = props;
  const styles = useStyles();
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const connected = useNewDevice(api, enrollment !== undefined, knownDeviceIds);

  useEffect(() => setCopied(undefined), [enrollment]);

  const copy = async () => {
    if (!enrollment) return;
    try {
      await navigator.clipboard.writeText(enrollment.enrollmentUrl);
      setCopied('yes');
    } catch {
      // Clipboard access can be refused (e.g. in a frame without permission): the link is still selectable.
      setCopied('failed');
    }
  };

  return (
    <Dialog open={enrollment !== undefined} onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface data-testid="connect-dialog">
        <DialogBody>
          <DialogTitle>Connect a device</DialogTitle>
          {enrollment && (
            <DialogContent className={styles.content}>
              {connected && (
                <MessageBar intent="success" data-testid="device-connected">
                  <MessageBarBody>
                    <MessageBarTitle>Connected</MessageBarTitle>
                    {connected.name} now receives your company contacts.
                  </MessageBarBody>
                </MessageBar>
              )}
              <Body1>Scan this code with the phone or tablet you want to connect, or open the link on that device.</Body1>
              <img className={styles.qr} src={enrollment.qrPngDataUri} alt="QR code of the link below, to scan with the device you want to connect" data-testid="enrollment-qr" />
              <div className={styles.linkRow}>
                <Field label="Link" className={styles.link}>
                  <Input readOnly value={enrollment.enrollmentUrl} data-testid="enrollment-link" onFocus={(e) => e.target.select()} />
                </Field>
                <Button onClick={copy} data-testid="enrollment-copy">
                  {copied === 'yes' ? 'Copied' : 'Copy link'}
                </Button>
              </div>
              <Caption1 aria-live="polite">
                {copied === 'failed' ? 'Copying is not allowed here; select the link and copy it yourself. ' : ''}
                <span data-testid="enrollment-expiry">
                  The link works once and expires {relativeTime(enrollment.expiresAt)} (
                  <time dateTime={enrollment.expiresAt}>{absoluteTime(enrollment.expiresAt)}</time>).
                </span>
              </Caption1>
              <Subtitle2 as="h3">On your device</Subtitle2>
              <ul className={styles.hints} data-testid="enrollment-hints">
                <li>
                  <strong>iPhone or iPad:</strong> scan with the Camera app, open the link in Safari and install the profile it offers (Settings, then Profile Downloaded).
                </li>
                <li>
                  <strong>Android:</strong> install DAVx⁵ from the Play Store first, then scan the code; DAVx⁵ opens with your account filled in.
                </li>
                <li>
                  <strong>Mac, Thunderbird and other apps:</strong> open the link on that computer; it shows the server address, user name and password to enter.
                </li>
              </ul>
            </DialogContent>
          )}
          <DialogActions>
            <Button appearance="primary" onClick={onClose}>
              {connected ? 'Done' : 'Close'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** While `watching`, polls the device list and returns the first device not among `known`. */
function useNewDevice(api: ApiClient, watching: boolean, known: string[]): DeviceSummaryJson | undefined {
  const [found, setFound] = useState<DeviceSummaryJson>();
  const knownKey = known.join(',');
  useEffect(() => {
    setFound(undefined);
    if (!watching) return;
    const before = new Set(knownKey ? knownKey.split(',') : []);
    const abort = new AbortController();
    const timer = setInterval(() => {
      api.get<DevicesResponse>('/devices', { signal: abort.signal }).then(
        ({ devices }) => {
          const added = devices.find((d) => !before.has(d.id));
          if (added) {
            setFound(added);
            clearInterval(timer);
          }
        },
        // A failed or aborted poll is simply retried at the next tick.
        () => undefined,
      );
    }, POLL_MS);
    return () => {
      clearInterval(timer);
      abort.abort();
    };
  }, [api, watching, knownKey]);
  return found;
}
