/**
 * The AddressBookStore over the sync core's tables: a device sees its owner's audience (one
 * `audienceOf` lookup), its cards are the audience's contact set, versions and changes come from
 * the change feed, and contents are the sealed directory rows projected through the tenant policy.
 *
 * Every read here is an indexed range or an `in (…)` batch: listing and sync cost what they return,
 * and no request reads the directory one card at a time.
 *
 * The few queries FeedRepository and DirectoryRepository do not offer yet (one audience's latest
 * feed number, versions of some contacts, a page of an audience's contacts, photos of some users)
 * are written here against the same tables and indexes; they belong in those repositories, and
 * moving them there changes nothing else.
 */
import type { Kysely } from 'kysely';
import type { DirectoryUser } from '../core/policy/contact-fields.js';
import { projectContact } from '../core/policy/contact-fields.js';
import type { Policy } from '../core/policy/policy.js';
import type { UserData } from '../core/sync/user-record.js';
import { loadPolicy } from '../core/tenant-policy.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { DevicePrincipal } from '../devices/device-principal.js';
import { DirectoryRepository } from '../store/directory-repository.js';
import { FeedRepository } from '../store/feed-repository.js';
import type { DatabaseSchema } from '../store/schema.js';
import { FeedPositionUnavailable, type AddressBookData, type AddressBookStore, type CardContent, type CardVersion, type FeedEntry, type FeedPosition, type SyncSupport } from './address-book-store.js';

/** Ids per `in (…)` statement: far below SQLite's bound-parameter limit, large enough to be few. */
const BATCH = 500;

export interface FeedAddressBookDeps {
  db: Kysely<DatabaseSchema>;
  cipher: FieldCipher;
}

export class FeedAddressBookStore implements AddressBookStore {
  constructor(private readonly deps: FeedAddressBookDeps) {}

  async open(principal: DevicePrincipal): Promise<AddressBookData> {
    const audienceId = await new FeedRepository(this.deps.db).audienceOf(principal.tenantId, principal.userId);
    return new FeedAddressBook(this.deps, principal.tenantId, audienceId ?? 0);
  }
}

class FeedAddressBook implements AddressBookData, SyncSupport {
  private policy: Promise<Policy> | undefined;
  readonly sync: SyncSupport = this;

  constructor(
    private readonly deps: FeedAddressBookDeps,
    private readonly tenantId: string,
    readonly audienceId: number,
  ) {}

  private get db() {
    return this.deps.db;
  }

  async displayName(): Promise<string> {
    const row = await this.db.selectFrom('tenants').select('display_name').where('id', '=', this.tenantId).executeTakeFirst();
    return row?.display_name ? `${row.display_name} directory` : 'Company directory';
  }

  async position(): Promise<FeedPosition> {
    if (this.audienceId === 0) return { audienceId: 0, seq: 0 };
    // max() over the (audience_id, seq, …) primary key: one index probe.
    const row = await this.db.selectFrom('contact_changes').select((eb) => eb.fn.max('seq').as('seq')).where('audience_id', '=', this.audienceId).executeTakeFirst();
    return { audienceId: this.audienceId, seq: Number(row?.seq ?? 0) };
  }

  async versions(contactIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (this.audienceId === 0) return out;
    for (let i = 0; i < contactIds.length; i += BATCH) {
      const rows = await this.db
        .selectFrom('audience_contacts')
        .select(['contact_id', 'seq'])
        .where('audience_id', '=', this.audienceId)
        .where('contact_id', 'in', contactIds.slice(i, i + BATCH))
        .execute();
      for (const r of rows) out.set(r.contact_id, Number(r.seq));
    }
    return out;
  }

  async *list(pageSize = 1000): AsyncIterable<CardVersion[]> {
    if (this.audienceId === 0) return;
    let after = '';
    for (;;) {
      // Keyset paging on the (audience_id, contact_id) primary key.
      const rows = await this.db
        .selectFrom('audience_contacts')
        .select(['contact_id', 'seq'])
        .where('audience_id', '=', this.audienceId)
        .where('contact_id', '>', after)
        .orderBy('contact_id')
        .limit(pageSize)
        .execute();
      if (rows.length > 0) yield rows.map((r) => ({ contactId: r.contact_id, version: Number(r.seq) }));
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.contact_id;
    }
  }

  async contents(contactIds: readonly string[]): Promise<Map<string, CardContent>> {
    const out = new Map<string, CardContent>();
    if (contactIds.length === 0) return out;
    const policy = await (this.policy ??= loadPolicy(this.deps, this.tenantId).then((p) => p.policy));
    const directory = new DirectoryRepository(this.db, this.deps.cipher);
    for (let i = 0; i < contactIds.length; i += BATCH) {
      const chunk = contactIds.slice(i, i + BATCH);
      const users = await directory.getUsers<UserData>(this.tenantId, chunk);
      const updated = await this.updatedAt(chunk);
      const photos = await this.photos(users.filter((u) => u.photoHash).map((u) => u.id));
      for (const u of users) {
        const contact = projectContact({ ...u.data, id: u.id } as DirectoryUser, policy);
        out.set(u.id, { contact, updatedAt: updated.get(u.id) ?? 0, photo: photos.get(u.id) });
      }
    }
    return out;
  }

  private async updatedAt(ids: string[]): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('directory_users').select(['id', 'updated_at']).where('tenant_id', '=', this.tenantId).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, Number(r.updated_at)]));
  }

  private async photos(ids: string[]): Promise<Map<string, { contentType: string; bytes: Buffer }>> {
    const out = new Map<string, { contentType: string; bytes: Buffer }>();
    if (ids.length === 0) return out;
    const rows = await this.db.selectFrom('directory_photos').select(['user_id', 'content_type', 'data']).where('tenant_id', '=', this.tenantId).where('user_id', 'in', ids).execute();
    for (const r of rows) {
      // Same associated data as DirectoryRepository.setPhoto seals with.
      out.set(r.user_id, { contentType: r.content_type, bytes: this.deps.cipher.decrypt(Buffer.from(r.data), `${this.tenantId}:photo:${r.user_id}`) });
    }
    return out;
  }

  async *changesSince(since: FeedPosition, pageSize = 5000): AsyncIterable<FeedEntry[]> {
    if (since.audienceId !== this.audienceId) throw new FeedPositionUnavailable(since, 'other-audience');
    const latest = await this.position();
    if (since.seq > latest.seq) throw new FeedPositionUnavailable(since, 'ahead');
    // The feed is not compacted yet, so every position up to `latest` can be continued from. When
    // compaction comes, positions older than its horizon must throw 'expired' here.
    if (this.audienceId === 0) return;
    const feed = new FeedRepository(this.db);
    let after = since.seq;
    for (;;) {
      const page = await feed.changesSince(this.audienceId, after, pageSize);
      if (page.length > 0) yield page.map((c) => ({ contactId: c.contactId, seq: Number(c.seq), op: c.op }));
      if (page.length < pageSize) return;
      after = Number(page[page.length - 1]!.seq);
    }
  }
}
