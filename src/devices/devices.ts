import type { AuditRepository } from '../store/audit-repository.js';
import type { DeviceRecord, DeviceRepository, NewDevice } from '../store/device-repository.js';
import type { FeedRepository } from '../store/feed-repository.js';
import { cardDavUrls, type CardDavUrls } from './carddav-urls.js';
import { canonicalToken, newDeviceId, newDeviceSecret, newToken, type SecretHasher } from './credentials.js';
import { EnrollmentUnavailable, NoAccess, TooManyDevices, type EnrollmentProblem } from './device-errors.js';
import { onboardingPath, platformName, type DevicePlatform } from './platform.js';
import { DOWNLOAD_WINDOW_MS, openDownload, sealForDownload } from './profile-download.js';
import { qrPngDataUri } from './qr-png.js';

/** Where the onboarding router is mounted; enrollment links point there. */
export const ENROLL_PATH = '/enroll';
export const ENROLLMENT_TTL_MS = 15 * 60_000;
/** Used and expired links are remembered this long, so opening one says why it no longer works. */
const ENROLLMENT_MEMORY_MS = 24 * 60 * 60_000;
/** Revoked devices are kept this long (hash erased: id, owner, client, dates), then deleted. */
const REVOKED_MEMORY_MS = 30 * 24 * 60 * 60_000;
export const DEFAULT_MAX_DEVICES_PER_USER = 20;

export interface EnrollmentLink {
  enrollmentUrl: string;
  expiresAt: Date;
  /** The link as a ~300 px 1-bit QR code, for an Adaptive Card or the tab. */
  qrPngDataUri: string;
}

export interface DeviceSummary {
  id: string;
  name: string;
  platform: DevicePlatform;
  createdAt: Date;
  lastSeenAt: Date | null;
  clientName: string | null;
}

/** Everything a client needs to connect. `password` exists only in this value: it is never stored. */
export interface DeviceCredentials extends CardDavUrls {
  deviceId: string;
  username: string;
  password: string;
}

export interface RedeemedEnrollment {
  device: DeviceSummary;
  credentials: DeviceCredentials;
  /** For iPhone, iPad and Mac: the one-time key of the profile download. */
  profileDownload?: { key: string; expiresAt: Date };
}

export type EnrollmentStatus = { state: 'valid'; expiresAt: Date; msLeft: number } | { state: EnrollmentProblem };

export interface DevicesDeps {
  repo: DeviceRepository;
  feed: Pick<FeedRepository, 'audienceOf'>;
  hasher: SecretHasher;
  publicUrl: string;
  audit?: Pick<AuditRepository, 'append'>;
  now?: () => number;
  maxDevicesPerUser?: number;
  /**
   * Told after an administrator revoked devices of a user, once the revocation is committed, so the
   * user can hear about it (the bot writes to them). Must not throw: a failure to tell is not a
   * failure to revoke.
   */
  onRevokedByAdmin?: (event: AdminRevocation) => void;
}

export interface AdminRevocation {
  tenantId: string;
  userId: string;
  /** The revoked devices' names (platform names such as "iPhone", chosen at enrollment). */
  deviceNames: string[];
}

export interface Actor {
  id: string;
  name: string | null;
}

/**
 * Devices of users: enrollment links, redemption into a device with its own secret, listing and
 * revocation. The tab API, the bot, the onboarding pages and the CLI all go through this class.
 */
export class DevicesService {
  private readonly now: () => number;
  private readonly maxDevices: number;

  constructor(private readonly deps: DevicesDeps) {
    this.now = deps.now ?? Date.now;
    this.maxDevices = deps.maxDevicesPerUser ?? DEFAULT_MAX_DEVICES_PER_USER;
  }

  /**
   * A single-use link, valid 15 minutes, that connects one device of this user.
   * @throws NoAccess when the user receives no contacts; TooManyDevices at the per-user limit.
   */
  async startEnrollment(tenantId: string, userId: string): Promise<EnrollmentLink> {
    await this.assertMayAddDevice(tenantId, userId);
    const now = this.now();
    await this.housekeeping(now);
    const token = newToken();
    const expiresAt = now + ENROLLMENT_TTL_MS;
    await this.deps.repo.createEnrollment({ tokenHash: this.deps.hasher.tokenHash('enrollment', token), tenantId, userId, createdAt: now, expiresAt });
    const enrollmentUrl = `${this.base()}${ENROLL_PATH}/${token}`;
    return { enrollmentUrl, expiresAt: new Date(expiresAt), qrPngDataUri: qrPngDataUri(enrollmentUrl) };
  }

  /** Whether a link can still be redeemed; reading it never consumes it. */
  async enrollmentStatus(token: string): Promise<EnrollmentStatus> {
    const canonical = canonicalToken(token);
    const enrollment = canonical && (await this.deps.repo.enrollment(this.deps.hasher.tokenHash('enrollment', canonical)));
    if (!enrollment) return { state: 'unknown' };
    const now = this.now();
    if (enrollment.usedAt !== null) return { state: 'used' };
    if (enrollment.expiresAt <= now) return { state: 'expired' };
    return { state: 'valid', expiresAt: new Date(enrollment.expiresAt), msLeft: enrollment.expiresAt - now };
  }

  /**
   * Redeems a link: creates the device and its secret (returned here, once) and marks the link used,
   * atomically; of two concurrent redemptions one wins and the other gets `used`.
   * @throws EnrollmentUnavailable (unknown, expired, used); NoAccess if the owner lost access since.
   */
  async redeemEnrollment(token: string, platformHint: DevicePlatform): Promise<RedeemedEnrollment> {
    const canonical = canonicalToken(token);
    if (!canonical) throw new EnrollmentUnavailable('unknown');
    const tokenHash = this.deps.hasher.tokenHash('enrollment', canonical);
    const now = this.now();
    const enrollment = await this.deps.repo.enrollment(tokenHash);
    if (!enrollment) throw new EnrollmentUnavailable('unknown');
    if (enrollment.usedAt !== null) throw new EnrollmentUnavailable('used');
    if (enrollment.expiresAt <= now) throw new EnrollmentUnavailable('expired');
    await this.assertMayAddDevice(enrollment.tenantId, enrollment.userId);

    const password = newDeviceSecret();
    const { hash, keyId } = this.deps.hasher.hashSecret(password);
    const device: NewDevice = {
      id: newDeviceId(),
      tenantId: enrollment.tenantId,
      userId: enrollment.userId,
      displayName: platformName(platformHint),
      platform: platformHint,
      secretHash: hash,
      hashKeyId: keyId,
      createdAt: now,
    };
    // Apple devices fetch the password again inside the profile: seal it for that one download.
    const downloadKey = onboardingPath(platformHint) === 'apple-profile' ? newToken() : undefined;
    const download = downloadKey
      ? { downloadHash: this.deps.hasher.tokenHash('download', downloadKey), sealed: sealForDownload(downloadKey, device.id, password), expiresAt: now + DOWNLOAD_WINDOW_MS }
      : undefined;
    const outcome = await this.deps.repo.redeem(tokenHash, now, device, download);
    if (outcome !== 'redeemed') throw new EnrollmentUnavailable(outcome);
    return {
      device: summary({ ...device, lastSeenAt: null, clientName: null }),
      credentials: this.credentials(device.id, password),
      ...(download && downloadKey ? { profileDownload: { key: downloadKey, expiresAt: new Date(download.expiresAt) } } : {}),
    };
  }

  /** Whether a profile download is waiting (without taking it): for HEAD requests. */
  async hasProfileDownload(token: string, downloadKey: string): Promise<boolean> {
    const keys = this.downloadKeys(token, downloadKey);
    return keys !== undefined && this.deps.repo.hasDownload(keys.tokenHash, keys.downloadHash, this.now());
  }

  /** The credentials for a profile download, once; undefined when taken, expired or wrong. */
  async takeProfileDownload(token: string, downloadKey: string): Promise<DeviceCredentials | undefined> {
    const keys = this.downloadKeys(token, downloadKey);
    const taken = keys && (await this.deps.repo.takeDownload(keys.tokenHash, keys.downloadHash, this.now()));
    const password = taken && openDownload(downloadKey.toLowerCase(), taken.deviceId, taken.sealed);
    return taken && password ? this.credentials(taken.deviceId, password) : undefined;
  }

  /**
   * Creates a device directly, without a link (the administrators' CLI).
   * @throws NoAccess, TooManyDevices as startEnrollment does.
   */
  async addDevice(tenantId: string, userId: string, platform: DevicePlatform = 'other', name?: string): Promise<{ device: DeviceSummary; credentials: DeviceCredentials }> {
    await this.assertMayAddDevice(tenantId, userId);
    const password = newDeviceSecret();
    const { hash, keyId } = this.deps.hasher.hashSecret(password);
    const record: NewDevice = { id: newDeviceId(), tenantId, userId, displayName: name?.trim().slice(0, 100) || platformName(platform), platform, secretHash: hash, hashKeyId: keyId, createdAt: this.now() };
    await this.deps.repo.insertDevice(record);
    return { device: summary({ ...record, lastSeenAt: null, clientName: null }), credentials: this.credentials(record.id, password) };
  }

  async listDevices(tenantId: string, userId: string): Promise<DeviceSummary[]> {
    return (await this.deps.repo.listForUser(tenantId, userId)).map(summary);
  }

  async listTenantDevices(tenantId: string): Promise<(DeviceSummary & { userId: string })[]> {
    return (await this.deps.repo.listForTenant(tenantId)).map((d) => ({ ...summary(d), userId: d.userId }));
  }

  /** Revokes one of the user's own devices; false when there is no such active device of theirs. */
  async revokeDevice(tenantId: string, userId: string, deviceId: string): Promise<boolean> {
    return this.deps.repo.revoke(tenantId, deviceId, this.now(), userId);
  }

  /** Revokes any device of the tenant (administrators), audited. */
  async revokeDeviceAsAdmin(tenantId: string, deviceId: string, actor: Actor): Promise<boolean> {
    // Read first only to tell the owner; the revocation itself is one conditional update.
    const device = this.deps.onRevokedByAdmin ? await this.deps.repo.get(tenantId, deviceId) : undefined;
    const revoked = await this.deps.repo.revoke(tenantId, deviceId, this.now());
    if (revoked) await this.deps.audit?.append({ tenantId, actor, action: 'device.revoke', target: deviceId, before: undefined, after: undefined });
    if (revoked && device) this.announceRevocation({ tenantId, userId: device.userId, deviceNames: [device.displayName] });
    return revoked;
  }

  async deviceCounts(tenantId: string): Promise<{ userId: string; devices: number; lastSeenAt: Date | null }[]> {
    return (await this.deps.repo.countsPerUser(tenantId)).map((c) => ({ ...c, lastSeenAt: c.lastSeenAt === null ? null : new Date(c.lastSeenAt) }));
  }

  /** Revokes every device of a user (administrators), audited; returns how many were active. */
  async revokeAllOf(tenantId: string, userId: string, actor?: Actor): Promise<number> {
    const devices = actor && this.deps.onRevokedByAdmin ? await this.deps.repo.listForUser(tenantId, userId) : [];
    const count = await this.deps.repo.revokeAllOf(tenantId, userId, this.now());
    if (count > 0 && actor) await this.deps.audit?.append({ tenantId, actor, action: 'device.revoke-all', target: userId, before: undefined, after: { revoked: count } });
    if (count > 0 && devices.length > 0) this.announceRevocation({ tenantId, userId, deviceNames: devices.map((d) => d.displayName) });
    return count;
  }

  private announceRevocation(event: AdminRevocation): void {
    try {
      this.deps.onRevokedByAdmin?.(event);
    } catch {
      // The hook's contract is not to throw; if it does, the revocation still stands.
    }
  }

  credentials(deviceId: string, password: string): DeviceCredentials {
    return { deviceId, username: deviceId, password, ...cardDavUrls(this.base(), deviceId) };
  }

  private async assertMayAddDevice(tenantId: string, userId: string): Promise<void> {
    if ((await this.deps.feed.audienceOf(tenantId, userId)) === undefined) throw new NoAccess(tenantId, userId);
    if ((await this.deps.repo.countActive(tenantId, userId)) >= this.maxDevices) throw new TooManyDevices(this.maxDevices);
  }

  private downloadKeys(token: string, downloadKey: string): { tokenHash: string; downloadHash: string } | undefined {
    const t = canonicalToken(token);
    const k = canonicalToken(downloadKey);
    if (!t || !k) return undefined;
    return { tokenHash: this.deps.hasher.tokenHash('enrollment', t), downloadHash: this.deps.hasher.tokenHash('download', k) };
  }

  /**
   * Forgets old links and long-revoked devices, and erases undownloaded profile secrets. Cheap
   * (indexed); runs whenever a link is made, and may also run on a timer.
   */
  async housekeeping(now: number = this.now()): Promise<void> {
    await this.deps.repo.purgeEnrollments(now, now - ENROLLMENT_MEMORY_MS);
    await this.deps.repo.deleteRevokedBefore(now - REVOKED_MEMORY_MS);
  }

  private base(): string {
    return this.deps.publicUrl.replace(/\/+$/, '');
  }
}

function summary(d: Pick<DeviceRecord, 'id' | 'displayName' | 'platform' | 'createdAt' | 'lastSeenAt' | 'clientName'>): DeviceSummary {
  return {
    id: d.id,
    name: d.displayName,
    platform: d.platform,
    createdAt: new Date(d.createdAt),
    lastSeenAt: d.lastSeenAt === null ? null : new Date(d.lastSeenAt),
    clientName: d.clientName,
  };
}
