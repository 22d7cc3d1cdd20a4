import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { DatabaseSchema } from './schema.js';

/** A directory user as stored: the contact fields sealed, the flags the policy filters on in clear. */
export interface StoredUser<T = unknown> {
  id: string;
  data: T;
  accountEnabled: boolean;
  isGuest: boolean;
  isLicensed: boolean;
  hidden: boolean;
  hasMail: boolean;
  photoHash: string | null;
  /** When the row was last written (a sync round's time): a card's REV. */
  updatedAt?: number;
}

/** The plain flags of a user, readable without decrypting anything (the policy's exclusions use them). */
export type UserFlags = Pick<StoredUser, 'id' | 'accountEnabled' | 'isGuest' | 'isLicensed' | 'hidden' | 'hasMail'>;

export interface StoredGroup<T = unknown> {
  id: string;
  data: T;
  securityEnabled: boolean;
}

export interface Membership {
  groupId: string;
  memberId: string;
  memberType: 'user' | 'group';
}

export type DirectoryKind = 'user' | 'group' | 'photo';

/** Associated data of a sealed directory value: tenant, kind and object id. */
export function directoryContext(tenantId: string, kind: DirectoryKind, id: string): string {
  return `${tenantId}:${kind}:${id}`;
}

/** SQLite's default limit on bound parameters is 32766; stay far below it per statement. */
const CHUNK = 500;

/**
 * The tenant's copy of its directory. Names, phones and every other field Graph returns are sealed
 * with the data key (associated data = tenant, kind and id), so the database file holds no directory
 * data in plain text.
 */
export class DirectoryRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly cipher: FieldCipher,
  ) {}

  private seal(tenantId: string, kind: DirectoryKind, id: string, value: unknown): Buffer {
    return this.cipher.encryptJson(value, directoryContext(tenantId, kind, id));
  }

  private open<T>(tenantId: string, kind: DirectoryKind, id: string, sealed: Buffer): T {
    return this.cipher.decryptJson<T>(Buffer.from(sealed), directoryContext(tenantId, kind, id));
  }

  async upsertUsers(tenantId: string, users: StoredUser[], now: number): Promise<void> {
    for (let i = 0; i < users.length; i += CHUNK) {
      const rows = users.slice(i, i + CHUNK).map((u) => ({
        tenant_id: tenantId,
        id: u.id,
        data: this.seal(tenantId, 'user', u.id, u.data),
        account_enabled: u.accountEnabled ? 1 : 0,
        is_guest: u.isGuest ? 1 : 0,
        is_licensed: u.isLicensed ? 1 : 0,
        hidden: u.hidden ? 1 : 0,
        has_mail: u.hasMail ? 1 : 0,
        photo_hash: u.photoHash,
        updated_at: now,
      }));
      await this.db
        .insertInto('directory_users')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
            data: eb.ref('excluded.data'),
            account_enabled: eb.ref('excluded.account_enabled'),
            is_guest: eb.ref('excluded.is_guest'),
            is_licensed: eb.ref('excluded.is_licensed'),
            hidden: eb.ref('excluded.hidden'),
            has_mail: eb.ref('excluded.has_mail'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  /** Removes users, their photos and their memberships. */
  async deleteUsers(tenantId: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await this.db.deleteFrom('directory_users').where('tenant_id', '=', tenantId).where('id', 'in', chunk).execute();
      await this.db.deleteFrom('directory_photos').where('tenant_id', '=', tenantId).where('user_id', 'in', chunk).execute();
      await this.db.deleteFrom('group_members').where('tenant_id', '=', tenantId).where('member_id', 'in', chunk).execute();
    }
  }

  async getUsers<T = unknown>(tenantId: string, ids: string[]): Promise<StoredUser<T>[]> {
    const out: StoredUser<T>[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.db.selectFrom('directory_users').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
      for (const r of rows) out.push(this.toUser<T>(r));
    }
    return out;
  }

  /**
   * The users an audience sees, in one join over its contact set (the directory views load 100k of
   * them at once; 200 queries of 500 ids each cost several times as much on SQLite).
   */
  async audienceUsers<T = unknown>(tenantId: string, audienceId: number): Promise<StoredUser<T>[]> {
    const rows = await this.db
      .selectFrom('audience_contacts as ac')
      .innerJoin('directory_users as u', (join) => join.onRef('u.tenant_id', '=', 'ac.tenant_id').onRef('u.id', '=', 'ac.contact_id'))
      .selectAll('u')
      .where('ac.audience_id', '=', audienceId)
      .where('ac.tenant_id', '=', tenantId)
      .execute();
    return rows.map((r) => this.toUser<T>(r));
  }

  /** Every user of the tenant, in id order, a page at a time (never the whole tenant in memory). */
  async *iterateUsers<T = unknown>(tenantId: string, pageSize = 1000): AsyncIterable<StoredUser<T>> {
    let after = '';
    for (;;) {
      const rows = await this.db.selectFrom('directory_users').selectAll().where('tenant_id', '=', tenantId).where('id', '>', after).orderBy('id').limit(pageSize).execute();
      for (const r of rows) yield this.toUser<T>(r);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** Flags of every user of the tenant: ids and booleans only, no decryption. */
  async userFlags(tenantId: string): Promise<UserFlags[]> {
    const rows = await this.db
      .selectFrom('directory_users')
      .select(['id', 'account_enabled', 'is_guest', 'is_licensed', 'hidden', 'has_mail'])
      .where('tenant_id', '=', tenantId)
      .execute();
    return rows.map((r) => ({ id: r.id, accountEnabled: r.account_enabled === 1, isGuest: r.is_guest === 1, isLicensed: r.is_licensed === 1, hidden: r.hidden === 1, hasMail: r.has_mail === 1 }));
  }

  async countUsers(tenantId: string): Promise<number> {
    const row = await this.db.selectFrom('directory_users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** After a completed full round: users it did not see no longer exist in the directory. */
  async staleUserIds(tenantId: string, before: number): Promise<string[]> {
    const rows = await this.db.selectFrom('directory_users').select('id').where('tenant_id', '=', tenantId).where('updated_at', '<', before).execute();
    return rows.map((r) => r.id);
  }

  async setPhoto(tenantId: string, userId: string, photo: { contentType: string; bytes: Buffer; hash: string } | undefined): Promise<void> {
    if (!photo) {
      await this.db.deleteFrom('directory_photos').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
    } else {
      const data = this.cipher.encrypt(photo.bytes, directoryContext(tenantId, 'photo', userId));
      await this.db
        .insertInto('directory_photos')
        .values({ tenant_id: tenantId, user_id: userId, content_type: photo.contentType, data })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ content_type: photo.contentType, data }))
        .execute();
    }
    await this.db.updateTable('directory_users').set({ photo_hash: photo?.hash ?? null }).where('tenant_id', '=', tenantId).where('id', '=', userId).execute();
  }

  async getPhoto(tenantId: string, userId: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
    const row = await this.db.selectFrom('directory_photos').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
    return row && { contentType: row.content_type, bytes: this.cipher.decrypt(Buffer.from(row.data), directoryContext(tenantId, 'photo', userId)) };
  }

  /** Photos of several users at once (those without one are absent from the map). */
  async getPhotos(tenantId: string, userIds: readonly string[]): Promise<Map<string, { contentType: string; bytes: Buffer }>> {
    const out = new Map<string, { contentType: string; bytes: Buffer }>();
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = await this.db.selectFrom('directory_photos').selectAll().where('tenant_id', '=', tenantId).where('user_id', 'in', userIds.slice(i, i + CHUNK)).execute();
      for (const r of rows) out.set(r.user_id, { contentType: r.content_type, bytes: this.cipher.decrypt(Buffer.from(r.data), directoryContext(tenantId, 'photo', r.user_id)) });
    }
    return out;
  }

  async upsertGroups(tenantId: string, groups: StoredGroup[], now: number): Promise<void> {
    for (let i = 0; i < groups.length; i += CHUNK) {
      const rows = groups.slice(i, i + CHUNK).map((g) => ({
        tenant_id: tenantId,
        id: g.id,
        data: this.seal(tenantId, 'group', g.id, g.data),
        security_enabled: g.securityEnabled ? 1 : 0,
        updated_at: now,
      }));
      await this.db
        .insertInto('directory_groups')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
            data: eb.ref('excluded.data'),
            security_enabled: eb.ref('excluded.security_enabled'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  /** Touches groups a full round saw without their properties changing (their rows stay current). */
  async touchGroups(tenantId: string, ids: string[], now: number): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.db.updateTable('directory_groups').set({ updated_at: now }).where('tenant_id', '=', tenantId).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
    }
  }

  async deleteGroups(tenantId: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await this.db.deleteFrom('directory_groups').where('tenant_id', '=', tenantId).where('id', 'in', chunk).execute();
      await this.db.deleteFrom('group_members').where('tenant_id', '=', tenantId).where((eb) => eb.or([eb('group_id', 'in', chunk), eb('member_id', 'in', chunk)])).execute();
    }
  }

  async getGroups<T = unknown>(tenantId: string, ids?: string[]): Promise<StoredGroup<T>[]> {
    let q = this.db.selectFrom('directory_groups').selectAll().where('tenant_id', '=', tenantId);
    if (ids) {
      if (ids.length === 0) return [];
      q = q.where('id', 'in', ids);
    }
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, data: this.open<T>(tenantId, 'group', r.id, r.data), securityEnabled: r.security_enabled === 1 }));
  }

  async countGroups(tenantId: string): Promise<number> {
    const row = await this.db.selectFrom('directory_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async staleGroupIds(tenantId: string, before: number): Promise<string[]> {
    const rows = await this.db.selectFrom('directory_groups').select('id').where('tenant_id', '=', tenantId).where('updated_at', '<', before).execute();
    return rows.map((r) => r.id);
  }

  async addMembers(tenantId: string, groupId: string, members: { id: string; type: 'user' | 'group' }[], now: number): Promise<void> {
    for (let i = 0; i < members.length; i += CHUNK) {
      await this.db
        .insertInto('group_members')
        .values(members.slice(i, i + CHUNK).map((m) => ({ tenant_id: tenantId, group_id: groupId, member_id: m.id, member_type: m.type, synced_at: now })))
        .onConflict((oc) => oc.columns(['tenant_id', 'group_id', 'member_id']).doUpdateSet({ synced_at: now }))
        .execute();
    }
  }

  async removeMembers(tenantId: string, groupId: string, memberIds: string[]): Promise<void> {
    for (let i = 0; i < memberIds.length; i += CHUNK) {
      await this.db.deleteFrom('group_members').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).where('member_id', 'in', memberIds.slice(i, i + CHUNK)).execute();
    }
  }

  /** After a completed full round: links it did not see are gone. Returns the groups that lost members. */
  async sweepMembers(tenantId: string, before: number): Promise<string[]> {
    const stale = await this.db.selectFrom('group_members').select('group_id').distinct().where('tenant_id', '=', tenantId).where('synced_at', '<', before).execute();
    await this.db.deleteFrom('group_members').where('tenant_id', '=', tenantId).where('synced_at', '<', before).execute();
    return stale.map((r) => r.group_id);
  }

  /** Removes the tenant's whole directory copy: users, photos, groups and memberships. */
  async purgeTenant(tenantId: string): Promise<void> {
    for (const table of ['group_members', 'directory_photos', 'directory_groups', 'directory_users'] as const) {
      await this.db.deleteFrom(table).where('tenant_id', '=', tenantId).execute();
    }
  }

  /** Every membership link of the tenant (ids only: no directory data), for transitive closure. */
  async memberships(tenantId: string): Promise<Membership[]> {
    const rows = await this.db.selectFrom('group_members').select(['group_id', 'member_id', 'member_type']).where('tenant_id', '=', tenantId).execute();
    return rows.map((r) => ({ groupId: r.group_id, memberId: r.member_id, memberType: r.member_type }));
  }

  private toUser<T>(r: { id: string; data: Buffer; account_enabled: number; is_guest: number; is_licensed: number; hidden: number; has_mail: number; photo_hash: string | null; tenant_id: string; updated_at: number }): StoredUser<T> {
    return {
      id: r.id,
      data: this.open<T>(r.tenant_id, 'user', r.id, r.data),
      accountEnabled: r.account_enabled === 1,
      isGuest: r.is_guest === 1,
      isLicensed: r.is_licensed === 1,
      hidden: r.hidden === 1,
      hasMail: r.has_mail === 1,
      photoHash: r.photo_hash,
      updatedAt: Number(r.updated_at),
    };
  }
}
