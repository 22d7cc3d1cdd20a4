import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, DevicesTable } from './schema.js';

export type DevicePlatform = DevicesTable['platform'];

/** A device as the tab, the bot and admins see it: no secret material. */
export interface DeviceRecord {
  id: string;
  tenantId: string;
  userId: string;
  displayName: string;
  platform: DevicePlatform;
  createdAt: number;
  lastSeenAt: number | null;
  clientName: string | null;
  revokedAt: number | null;
}

export interface NewDevice {
  id: string;
  tenantId: string;
  userId: string;
  displayName: string;
  platform: DevicePlatform;
  secretHash: Buffer;
  hashKeyId: number;
  createdAt: number;
}

/** What authentication needs about an active device. */
export interface DeviceCredential {
  id: string;
  tenantId: string;
  userId: string;
  secretHash: Buffer;
  hashKeyId: number;
}

export interface EnrollmentRecord {
  tenantId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  deviceId: string | null;
}

/** A redeemed device's secret, sealed for its one profile download. */
export interface PendingDownload {
  downloadHash: string;
  sealed: Buffer;
  expiresAt: number;
}

export type RedeemOutcome = 'redeemed' | 'unknown' | 'expired' | 'used';

/**
 * Devices and enrollment links. Every read that returns a device to a person is scoped by tenant (and
 * by owner where the caller is a user); only the CardDAV credential lookup goes by device id alone,
 * because the id is the only thing a client sends.
 */
export class DeviceRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insertDevice(d: NewDevice): Promise<void> {
    await this.db.insertInto('devices').values(deviceRow(d)).execute();
  }

  /** The active (not revoked) device's credential, or undefined. One primary-key read: no cache. */
  async credentialOf(deviceId: string): Promise<DeviceCredential | undefined> {
    const row = await this.db
      .selectFrom('devices')
      .select(['id', 'tenant_id', 'user_id', 'secret_hash', 'hash_key_id'])
      .where('id', '=', deviceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || !row.secret_hash || row.hash_key_id === null) return undefined;
    return { id: row.id, tenantId: row.tenant_id, userId: row.user_id, secretHash: Buffer.from(row.secret_hash), hashKeyId: Number(row.hash_key_id) };
  }

  /** Replaces the stored hash (after a data-key rotation), unless the device was revoked meanwhile. */
  async rehash(deviceId: string, secretHash: Buffer, hashKeyId: number): Promise<void> {
    await this.db.updateTable('devices').set({ secret_hash: secretHash, hash_key_id: hashKeyId }).where('id', '=', deviceId).where('revoked_at', 'is', null).execute();
  }

  async touch(deviceId: string, now: number, clientName: string | null): Promise<void> {
    await this.db.updateTable('devices').set({ last_seen_at: now, client_name: clientName }).where('id', '=', deviceId).where('revoked_at', 'is', null).execute();
  }

  async get(tenantId: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('tenant_id', '=', tenantId).where('id', '=', deviceId).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Active devices of one user, oldest first. */
  async listForUser(tenantId: string, userId: string): Promise<DeviceRecord[]> {
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  /** Active devices of the whole tenant, by owner then age (admins, CLI). */
  async listForTenant(tenantId: string): Promise<DeviceRecord[]> {
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .orderBy('user_id')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  async countActive(tenantId: string, userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Active devices per user, with the latest sync among them. */
  async countsPerUser(tenantId: string): Promise<{ userId: string; devices: number; lastSeenAt: number | null }[]> {
    const rows = await this.db
      .selectFrom('devices')
      .select((eb) => ['user_id', eb.fn.countAll<number>().as('n'), eb.fn.max('last_seen_at').as('last_seen')])
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .groupBy('user_id')
      .orderBy('user_id')
      .execute();
    return rows.map((r) => ({ userId: r.user_id, devices: Number(r.n), lastSeenAt: r.last_seen === null ? null : Number(r.last_seen) }));
  }

  /**
   * Revokes one active device of the tenant (and of `userId` when given). The hash is erased with it,
   * so even a code path that forgot to check `revoked_at` could not authenticate the device.
   */
  async revoke(tenantId: string, deviceId: string, now: number, userId?: string): Promise<boolean> {
    let q = this.db
      .updateTable('devices')
      .set({ revoked_at: now, secret_hash: null, hash_key_id: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', deviceId)
      .where('revoked_at', 'is', null);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async revokeAllOf(tenantId: string, userId: string, now: number): Promise<number> {
    const result = await this.db
      .updateTable('devices')
      .set({ revoked_at: now, secret_hash: null, hash_key_id: null })
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Forgets devices revoked before `before` (kept a while so their owner can see what was revoked). */
  async deleteRevokedBefore(before: number): Promise<number> {
    const result = await this.db.deleteFrom('devices').where('revoked_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async createEnrollment(e: { tokenHash: string; tenantId: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
    await this.db
      .insertInto('device_enrollments')
      .values({ token_hash: e.tokenHash, tenant_id: e.tenantId, user_id: e.userId, created_at: e.createdAt, expires_at: e.expiresAt, used_at: null, device_id: null, download_hash: null, download_sealed: null, download_expires_at: null })
      .execute();
  }

  async enrollment(tokenHash: string): Promise<EnrollmentRecord | undefined> {
    const row = await this.db.selectFrom('device_enrollments').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && { tenantId: row.tenant_id, userId: row.user_id, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at), usedAt: row.used_at === null ? null : Number(row.used_at), deviceId: row.device_id };
  }

  /**
   * Marks the link used and creates its device, in one transaction. The conditional update is the
   * lock: of two concurrent redemptions exactly one updates the row (PostgreSQL re-checks the
   * condition after the first commits; SQLite runs one writer at a time), and only it inserts.
   * `device` must belong to the link's tenant and user (the caller read them with `enrollment`).
   */
  async redeem(tokenHash: string, now: number, device: NewDevice, download?: PendingDownload): Promise<RedeemOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('device_enrollments')
        .set({ used_at: now, device_id: device.id, download_hash: download?.downloadHash ?? null, download_sealed: download?.sealed ?? null, download_expires_at: download?.expiresAt ?? null })
        .where('token_hash', '=', tokenHash)
        .where('tenant_id', '=', device.tenantId)
        .where('user_id', '=', device.userId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) {
        await new DeviceRepository(trx).insertDevice(device);
        return 'redeemed';
      }
      const enrollment = await new DeviceRepository(trx).enrollment(tokenHash);
      return !enrollment ? 'unknown' : enrollment.usedAt !== null ? 'used' : 'expired';
    });
  }

  /** Whether a profile download is still waiting (HEAD requests look without taking). */
  async hasDownload(tokenHash: string, downloadHash: string, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('device_enrollments')
      .select('token_hash')
      .where('token_hash', '=', tokenHash)
      .where('download_hash', '=', downloadHash)
      .where('download_sealed', 'is not', null)
      .where('download_expires_at', '>', now)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Takes the sealed secret for a profile download, once: the value is erased as it is read. */
  async takeDownload(tokenHash: string, downloadHash: string, now: number): Promise<{ tenantId: string; deviceId: string; sealed: Buffer } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('device_enrollments')
        .select(['tenant_id', 'device_id', 'download_sealed'])
        .where('token_hash', '=', tokenHash)
        .where('download_hash', '=', downloadHash)
        .where('download_sealed', 'is not', null)
        .where('download_expires_at', '>', now)
        .executeTakeFirst();
      if (!row || !row.download_sealed || !row.device_id) return undefined;
      const taken = await trx
        .updateTable('device_enrollments')
        .set({ download_sealed: null })
        .where('token_hash', '=', tokenHash)
        .where('download_sealed', 'is not', null)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) return undefined;
      return { tenantId: row.tenant_id, deviceId: row.device_id, sealed: Buffer.from(row.download_sealed) };
    });
  }

  /**
   * Housekeeping: erases sealed secrets whose download window passed and deletes links that expired
   * before `forgetBefore` (until then a used or expired link can still say so instead of "unknown").
   */
  async purgeEnrollments(now: number, forgetBefore: number): Promise<void> {
    await this.db.updateTable('device_enrollments').set({ download_sealed: null }).where('download_sealed', 'is not', null).where('download_expires_at', '<=', now).execute();
    await this.db.deleteFrom('device_enrollments').where('expires_at', '<', forgetBefore).execute();
  }
}

function deviceRow(d: NewDevice) {
  return {
    id: d.id,
    tenant_id: d.tenantId,
    user_id: d.userId,
    display_name: d.displayName,
    platform: d.platform,
    secret_hash: d.secretHash,
    hash_key_id: d.hashKeyId,
    created_at: d.createdAt,
    last_seen_at: null,
    client_name: null,
    revoked_at: null,
  };
}

function toRecord(row: Selectable<DevicesTable>): DeviceRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    displayName: row.display_name,
    platform: row.platform,
    createdAt: Number(row.created_at),
    lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
    clientName: row.client_name,
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}
