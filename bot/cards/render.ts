import type { Reply } from '../commands/replies.js';
import type { AdaptiveCard } from './adaptive-card.js';
import { devicesCard } from './devices-card.js';
import { enrollmentCard } from './enrollment-card.js';
import { helpCard, welcomeCard } from './help-card.js';
import { statusCard } from './status-card.js';
import { askWhomText, tenantProblemText } from './texts.js';

/** A message as the wiring sends it: an Adaptive Card, or markdown text for short answers. */
export type OutgoingMessage = { card: AdaptiveCard } | { text: string };

/** How each Reply looks. `now` dates relative times ("expires in 15 minutes"). */
export function render(reply: Reply, now: Date = new Date()): OutgoingMessage {
  switch (reply.kind) {
    case 'welcome':
      return { card: welcomeCard(reply.setupNeeded) };
    case 'help':
      return { card: helpCard(reply.unrecognised) };
    case 'enrollment':
      return { card: enrollmentCard(reply.link, now) };
    case 'devices':
      return { card: devicesCard(reply.devices, reply.notice) };
    case 'status':
      return { card: statusCard(reply.status) };
    case 'no-access':
      return {
        text: reply.firstSyncPending
          ? 'Switchboard is still reading your organisation\'s directory for the first time. Try again in a few minutes.'
          : `You cannot connect a device: your account is not in any of the groups that receive company contacts in Switchboard. To be added, ask ${askWhomText(reply.askWhom)}.`,
      };
    case 'too-many-devices':
      return { text: `${reply.message} Type **devices** to see and revoke them.` };
    case 'tenant-not-ready':
      return { text: tenantProblemText(reply.problem) };
    case 'not-personal':
      return { text: 'I only help in a personal chat, because sync links and device lists are personal. Open a chat with me (Switchboard) and type **connect a device** there.' };
    case 'no-identity':
      return { text: 'I could not tell which work account you are using, so I cannot help here. Message me from Microsoft Teams with your work account.' };
    case 'device-revoked-by-admin':
      return { text: `An administrator revoked ${reply.deviceNames.length === 1 ? `your device "${reply.deviceNames[0]}"` : `${reply.deviceNames.length} of your devices (${reply.deviceNames.join(', ')})`}: it no longer receives company contacts. If you did not expect this, ask your IT department. Type **devices** to see what is still connected.` };
    case 'access-changed':
      return {
        text: reply.hasAccess
          ? 'You now receive company contacts in Switchboard. Type **connect a device** to add them to your phone, tablet or computer.'
          : `You no longer receive company contacts: your account left the groups that receive them. Your connected devices will empty their company address book at their next sync. If this is a mistake, ask ${askWhomText(reply.askWhom)}.`,
      };
  }
}
