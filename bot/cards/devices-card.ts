import { VERBS } from '../commands/verbs.js';
import type { Notice } from '../commands/replies.js';
import type { DeviceSummary } from '../../src/devices/devices.js';
import { card, execute, heading, localDateTime, say, text, type AdaptiveCard, type CardElement } from './adaptive-card.js';

/**
 * The user's devices, each with a Revoke button (Action.Execute): the bot answers a press with this
 * card again, updated, and Teams replaces the card in place.
 */
export function devicesCard(devices: DeviceSummary[], notice?: Notice): AdaptiveCard {
  const body: CardElement[] = [heading('Your connected devices')];
  if (notice) body.push(text(notice.text, { color: notice.tone === 'good' ? 'Good' : 'Attention' }));
  if (devices.length === 0) body.push(text('No device is connected. Type **connect a device** to add one.'));
  for (const d of devices) body.push(deviceRow(d));
  return card(body, [execute('Refresh', VERBS.listDevices), say('Connect a device', 'connect a device')], `${devices.length} connected device(s). Type "devices" to manage them.`);
}

function deviceRow(d: DeviceSummary): CardElement {
  const synced = d.lastSeenAt ? `last synced ${localDateTime(d.lastSeenAt)}` : 'not synced yet';
  return {
    type: 'Container',
    separator: true,
    spacing: 'Medium',
    items: [
      {
        type: 'ColumnSet',
        columns: [
          {
            type: 'Column',
            width: 'stretch',
            verticalContentAlignment: 'Center',
            items: [text(d.name, { weight: 'Bolder' }), text(`Added ${localDateTime(d.createdAt)} · ${synced}${d.clientName ? ` · ${d.clientName}` : ''}`, { subtle: true })],
          },
          {
            type: 'Column',
            width: 'auto',
            verticalContentAlignment: 'Center',
            items: [{ type: 'ActionSet', actions: [execute('Revoke', VERBS.revokeDevice, { deviceId: d.id }, 'destructive')] }],
          },
        ],
      },
    ],
  };
}
