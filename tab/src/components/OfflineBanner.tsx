import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';

/** Shown while the browser is offline; what is on screen stays usable, and refreshes on reconnect. */
export function OfflineBanner() {
  return (
    <MessageBar intent="warning" data-testid="offline-banner">
      <MessageBarBody>
        <MessageBarTitle>You're offline</MessageBarTitle>
        What you see may be out of date. Switchboard refreshes when the connection is back.
      </MessageBarBody>
    </MessageBar>
  );
}
