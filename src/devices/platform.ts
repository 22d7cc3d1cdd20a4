import type { DevicePlatform } from '../store/device-repository.js';

export type { DevicePlatform };

export const PLATFORMS: readonly DevicePlatform[] = ['iphone', 'ipad', 'mac', 'android', 'other'];

/** How a platform connects: a configuration profile, a DAVx⁵ link, or values typed into any client. */
export type OnboardingPath = 'apple-profile' | 'davx5' | 'manual';

export function onboardingPath(platform: DevicePlatform): OnboardingPath {
  if (platform === 'iphone' || platform === 'ipad' || platform === 'mac') return 'apple-profile';
  return platform === 'android' ? 'davx5' : 'manual';
}

/**
 * The platform a User-Agent names. Android is checked first (its UAs mention "Linux", never "Mac");
 * iPadOS Safari presents itself as a Mac, which is fine: both install the same profile.
 */
export function detectPlatform(userAgent: string | undefined): DevicePlatform {
  const ua = userAgent ?? '';
  if (/Android/i.test(ua)) return 'android';
  if (/iPhone|iPod/.test(ua)) return 'iphone';
  if (/iPad/.test(ua)) return 'ipad';
  if (/Macintosh|Mac OS X/.test(ua)) return 'mac';
  return 'other';
}

/**
 * Whether an iPhone or iPad page is open in Safari itself. Profiles install only from Safari; other
 * browsers and in-app views (Teams, Outlook, Chrome, Firefox, Edge, Google) name themselves or lack
 * the `Safari/` token.
 */
export function isMobileSafari(userAgent: string | undefined): boolean {
  const ua = userAgent ?? '';
  if (!/iPhone|iPod|iPad/.test(ua)) return false;
  return /Version\/[\d.]+.*Safari\//.test(ua) && !/CriOS|FxiOS|EdgiOS|OPiOS|GSA\/|Teams|Outlook|FBAN|Instagram/.test(ua);
}

const NAMES: Record<DevicePlatform, string> = { iphone: 'iPhone', ipad: 'iPad', mac: 'Mac', android: 'Android device', other: 'Contacts app' };

/** A device's default name: its platform, no user information. */
export function platformName(platform: DevicePlatform): string {
  return NAMES[platform];
}

export function parsePlatform(value: unknown): DevicePlatform | undefined {
  return typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value) ? (value as DevicePlatform) : undefined;
}
