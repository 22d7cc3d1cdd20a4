import { randomUUID } from 'node:crypto';
import type { CardDavUrls } from './carddav-urls.js';

/**
 * An Apple configuration profile (.mobileconfig) with one `com.apple.carddav.account` payload, for
 * iPhone, iPad and Mac. Apple documents the keys in Device Management → CardDAV: CardDAVHostName
 * (required), CardDAVPort (integer), CardDAVUseSSL (boolean), CardDAVPrincipalURL, CardDAVUsername,
 * CardDAVPassword, CardDAVAccountDescription (strings).
 *
 * The profile is unsigned (iOS shows it as "Not Verified"); it carries the device's password, so it
 * is served once, right after redemption, and never stored. macOS ignores CardDAVPrincipalURL and
 * discovers through /.well-known/carddav, which the CardDAV server answers.
 */
export const MOBILECONFIG_CONTENT_TYPE = 'application/x-apple-aspen-config';

export interface ProfileInput {
  urls: CardDavUrls;
  username: string;
  password: string;
  /** Shown in Settings → Contacts → Accounts. */
  accountDescription: string;
  /** Makes PayloadIdentifiers unique per device, so a second device's profile does not replace the first. */
  deviceId: string;
}

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

export function buildMobileconfig(input: ProfileInput): string {
  const url = new URL(input.urls.principalUrl);
  const useSsl = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : useSsl ? 443 : 80;
  const reverseHost = url.hostname.split('.').reverse().join('.');
  const identifier = `${reverseHost}.switchboard.${input.deviceId}`;
  const account: Record<string, PlistValue> = {
    CardDAVAccountDescription: input.accountDescription,
    CardDAVHostName: url.hostname,
    CardDAVPort: port,
    CardDAVUseSSL: useSsl,
    CardDAVPrincipalURL: input.urls.principalUrl,
    CardDAVUsername: input.username,
    CardDAVPassword: input.password,
    PayloadType: 'com.apple.carddav.account',
    PayloadIdentifier: `${identifier}.carddav`,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadVersion: 1,
    PayloadDisplayName: 'Company contacts (CardDAV)',
    PayloadDescription: 'Adds your colleagues to Contacts, read-only, kept up to date by Switchboard.',
  };
  const profile: Record<string, PlistValue> = {
    PayloadContent: [account],
    PayloadType: 'Configuration',
    PayloadIdentifier: identifier,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadVersion: 1,
    PayloadDisplayName: input.accountDescription,
    PayloadDescription: 'Company contacts from Microsoft Teams for this device. Remove the profile to disconnect it.',
    PayloadOrganization: 'Switchboard',
    PayloadRemovalDisallowed: false,
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plist(profile, ''),
    '</plist>',
    '',
  ].join('\n');
}

function plist(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${xmlEscape(value)}</string>`;
  if (typeof value === 'number') return `${indent}<integer>${Math.trunc(value)}</integer>`;
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (Array.isArray(value)) return [`${indent}<array>`, ...value.map((v) => plist(v, indent + '  ')), `${indent}</array>`].join('\n');
  const entries = Object.entries(value).flatMap(([k, v]) => [`${indent}  <key>${xmlEscape(k)}</key>`, plist(v, indent + '  ')]);
  return [`${indent}<dict>`, ...entries, `${indent}</dict>`].join('\n');
}

function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
