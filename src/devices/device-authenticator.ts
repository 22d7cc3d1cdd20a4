import { isIPv6 } from 'node:net';
import type { DeviceRepository } from '../store/device-repository.js';
import { canonicalDeviceId, type SecretHasher } from './credentials.js';
import type { DeviceAuthenticator, DevicePrincipal } from './device-principal.js';
import { FailureLimiter, type FailureLimits } from './failure-limiter.js';

export interface AuthenticatorLimits {
  /** Failures per device id before it is refused for a while. */
  perDevice: FailureLimits;
  /**
   * Failures per remote address. Higher than per device: a company's devices often share one NAT
   * address, and a few revoked phones retrying there must not lock out everyone else.
   */
  perAddress: FailureLimits;
  /** At most one last-seen write per device per this interval. */
  touchIntervalMs: number;
}

export const DEFAULT_AUTHENTICATOR_LIMITS: AuthenticatorLimits = {
  perDevice: { limit: 10, windowMs: 5 * 60_000, blockMs: 5 * 60_000, maxKeys: 10_000 },
  perAddress: { limit: 50, windowMs: 5 * 60_000, blockMs: 5 * 60_000, maxKeys: 10_000 },
  touchIntervalMs: 60_000,
};

const MAX_CLIENT_NAME = 200;
const MAX_TOUCH_ENTRIES = 50_000;

/**
 * HTTP Basic credentials of CardDAV clients → the device they belong to.
 *
 * No credential cache: every request reads the device's row by primary key, so a revocation (on any
 * instance) refuses the very next request. The read is an indexed lookup and the hash one HMAC, both
 * far cheaper than the CardDAV answer that follows. A device whose owner no longer receives contacts
 * still authenticates; its address book is then empty (CardDAV asks the feed, not this class).
 */
export class StoreDeviceAuthenticator implements DeviceAuthenticator {
  private readonly deviceFailures: FailureLimiter;
  private readonly addressFailures: FailureLimiter;
  /** Device id → when last seen was last written, least recent first (bounded). */
  private readonly lastTouch = new Map<string, number>();
  private readonly limits: AuthenticatorLimits;

  constructor(
    private readonly deps: { devices: Pick<DeviceRepository, 'credentialOf' | 'rehash' | 'touch'>; hasher: SecretHasher; now?: () => number; limits?: Partial<AuthenticatorLimits> },
  ) {
    this.limits = { ...DEFAULT_AUTHENTICATOR_LIMITS, ...deps.limits };
    const now = deps.now ?? Date.now;
    this.deviceFailures = new FailureLimiter(this.limits.perDevice, now);
    this.addressFailures = new FailureLimiter(this.limits.perAddress, now);
  }

  async authenticate(username: string, password: string, remoteAddress: string): Promise<DevicePrincipal | 'rate-limited' | undefined> {
    const deviceKey = username.trim().toLowerCase().slice(0, 64);
    const addressKey = addressBucket(remoteAddress);
    if (this.deviceFailures.isBlocked(deviceKey) || this.addressFailures.isBlocked(addressKey)) return 'rate-limited';

    const deviceId = canonicalDeviceId(username);
    const credential = deviceId ? await this.deps.devices.credentialOf(deviceId) : undefined;
    const check = credential ? this.deps.hasher.checkSecret(password, credential.secretHash, credential.hashKeyId) : this.deps.hasher.checkNothing(password);
    if (!credential || check === 'mismatch') {
      this.deviceFailures.fail(deviceKey);
      this.addressFailures.fail(addressKey);
      return undefined;
    }
    // The address keeps its count: one valid credential must not launder guesses at other devices.
    this.deviceFailures.reset(deviceKey);
    if (check === 'ok-rehash') {
      const { hash, keyId } = this.deps.hasher.hashSecret(password);
      await this.deps.devices.rehash(credential.id, hash, keyId);
    }
    return { deviceId: credential.id, tenantId: credential.tenantId, userId: credential.userId };
  }

  async touch(principal: DevicePrincipal, userAgent: string | undefined): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    const last = this.lastTouch.get(principal.deviceId);
    if (last !== undefined && now - last < this.limits.touchIntervalMs) return;
    this.lastTouch.delete(principal.deviceId);
    this.lastTouch.set(principal.deviceId, now);
    if (this.lastTouch.size > MAX_TOUCH_ENTRIES) {
      const oldest = this.lastTouch.keys().next().value;
      if (oldest !== undefined) this.lastTouch.delete(oldest);
    }
    await this.deps.devices.touch(principal.deviceId, now, clientName(userAgent));
  }
}

/**
 * The rate-limit key of an address: IPv6 clients usually hold a whole /64, so they are counted per
 * /64; IPv4 (also IPv4-mapped IPv6) per address.
 */
export function addressBucket(remoteAddress: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remoteAddress)) return remoteAddress;
  return `${expandIPv6(remoteAddress).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...(address.includes('::') ? zeros : []), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** The User-Agent as stored: printable, bounded, or null. */
function clientName(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  const printable = userAgent.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_CLIENT_NAME);
  return printable || null;
}
