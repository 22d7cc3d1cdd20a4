import type { TenantProblem } from '../commands/replies.js';
import { card, facts, heading, say, text, type AdaptiveCard, type CardAction } from './adaptive-card.js';
import { tenantProblemText } from './texts.js';

/** What to type, in the words the bot understands (and the manifest's command list offers). */
const COMMANDS: [command: string, what: string][] = [
  ['connect a device', 'A QR code and a link that add your company contacts to a phone, tablet or computer'],
  ['devices', 'Your connected devices, with a button to revoke each'],
  ['status', 'How many contacts you receive, from which groups, and when they last synced'],
  ['help', 'This list'],
];

const BUTTONS: CardAction[] = [say('Connect a device', 'connect a device'), say('My devices', 'devices'), say('Status', 'status')];

/** Sent once, when a user adds the bot: what Switchboard does and what to type. */
export function welcomeCard(setupNeeded?: TenantProblem): AdaptiveCard {
  return card(
    [
      heading('Welcome to Switchboard'),
      text('Switchboard puts your company directory in the Contacts app of your phone, tablet or computer: colleagues\' names, phone numbers and job titles, kept up to date in the background, so you can see who is calling. Your administrator chooses which colleagues you receive.'),
      text('Type one of these:', { weight: 'Bolder', spacing: 'Medium' }),
      facts(COMMANDS),
      ...(setupNeeded ? [text(tenantProblemText(setupNeeded), { color: 'Attention', spacing: 'Medium' })] : []),
    ],
    BUTTONS,
    'Welcome to Switchboard. Type "connect a device", "devices", "status" or "help".',
  );
}

/** "help", and the answer to anything the bot does not understand. */
export function helpCard(unrecognised: boolean): AdaptiveCard {
  return card(
    [
      heading(unrecognised ? 'Sorry, I did not understand that' : 'What I can do'),
      text(unrecognised ? 'I know a few commands. Type one of these:' : 'Type one of these, or use the buttons:'),
      facts(COMMANDS),
    ],
    BUTTONS,
    'Type "connect a device", "devices", "status" or "help".',
  );
}
