import type { EnrollmentLink } from '../../src/devices/devices.js';
import { card, facts, heading, localTime, openUrl, text, type AdaptiveCard } from './adaptive-card.js';

/** How each kind of device finishes after scanning, matching the onboarding pages (src/devices). */
const PLATFORM_HINTS: [platform: string, hint: string][] = [
  ['iPhone, iPad', 'Scan with the Camera app, open the link in Safari, then install the profile in Settings.'],
  ['Mac', 'Open the link in Safari and install the profile in System Settings.'],
  ['Android', 'Install DAVx⁵ (Google Play or F-Droid) first, then scan the code: the link opens DAVx⁵ with your login filled in.'],
  ['Windows, Linux', 'Open the link and enter the address, user name and password in Thunderbird, Evolution or another CardDAV app.'],
];

/**
 * The answer to "connect a device": the link as a QR code (a ~1 KB 1-bit PNG data URI, far inside
 * Teams' 100 KB message and 1024 px image limits) and as a button, its expiry, and per-platform hints.
 */
export function enrollmentCard(link: EnrollmentLink, now: Date): AdaptiveCard {
  const minutes = Math.max(1, Math.round((link.expiresAt.getTime() - now.getTime()) / 60_000));
  return card(
    [
      heading('Connect a device'),
      text('Scan this code with the phone or tablet you want to connect, or open the link on that device. Your company contacts then appear in its Contacts app and stay up to date.'),
      { type: 'Image', url: link.qrPngDataUri, altText: 'QR code of your single-use link to connect a device', size: 'Large', horizontalAlignment: 'Center' },
      text(`The link works once, for one device, and expires in ${minutes} minutes (at ${localTime(link.expiresAt)}). Type **connect a device** again for a new one.`, { weight: 'Bolder' }),
      facts(PLATFORM_HINTS),
      text('Do not share this code or link: whoever uses it receives your company contacts on their device.', { subtle: true }),
    ],
    [openUrl('Open the link', link.enrollmentUrl)],
    `Connect a device: open ${link.enrollmentUrl} on the device within ${minutes} minutes.`,
  );
}
