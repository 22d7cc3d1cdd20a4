import type { StatusFacts } from '../commands/replies.js';
import { card, facts, heading, localDateTime, say, text, type AdaptiveCard, type CardElement } from './adaptive-card.js';
import { askWhomText } from './texts.js';

/** "status": what the user receives and how fresh it is. */
export function statusCard(s: StatusFacts): AdaptiveCard {
  const body: CardElement[] = [heading('Your Switchboard status')];
  if (s.receiving) {
    body.push(text(`You receive **${s.receiving.contacts}** company contacts on your connected devices.`));
    body.push(facts([
      ['Contacts', String(s.receiving.contacts)],
      [s.receiving.groups.length === 1 ? 'From the group' : 'From the groups', s.receiving.groups.join(', ') || '—'],
    ]));
  } else {
    body.push(text(`You receive no company contacts: your account is not in any of the groups your administrator chose. To change that, ask ${askWhomText(s.askWhom)}.`, { color: 'Attention' }));
  }
  // Times stay in TextBlocks: only there do Teams' DATE()/TIME() functions show them in local time.
  const devices = s.devices === 0 ? 'none connected' : `${s.devices} connected${s.lastDeviceSync ? `, last synced ${localDateTime(s.lastDeviceSync)}` : ', not synced yet'}`;
  body.push(text(`**Devices:** ${devices}`), text(`**Directory updated:** ${s.lastSync ? localDateTime(s.lastSync) : 'not yet'}`));
  if (s.latestRoundFailed) body.push(text('The latest directory update failed; your administrator can see why on the Switchboard admin page. Your devices keep the contacts they have.', { color: 'Warning' }));
  return card(body, [say('My devices', 'devices'), say('Connect a device', 'connect a device')], s.receiving ? `You receive ${s.receiving.contacts} company contacts.` : 'You receive no company contacts.');
}
