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
import { TenantRepository } from '../store/tenant-repository.js';
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
    const tenant = await new TenantRepository(this.db).get(this.tenantId);
    return tenant?.displayName ? `${tenant.displayName} directory` : 'Company directory';
  }

  async position(): Promise<FeedPosition> {
    if (this.audienceId === 0) return { audienceId: 0, seq: 0 };
    return { audienceId: this.audienceId, seq: await new FeedRepository(this.db).latestSeq(this.audienceId) };
  }

  async versions(contactIds: readonly string[]): Promise<Map<string, number>> {
    if (this.audienceId === 0) return new Map();
    return new FeedRepository(this.db).contactVersions(this.audienceId, contactIds);
  }

  async *list(pageSize = 1000): AsyncIterable<CardVersion[]> {
    if (this.audienceId === 0) return;
    const feed = new FeedRepository(this.db);
    let after = '';
    for (;;) {
      const rows = await feed.contactsPage(this.audienceId, after, pageSize);
      if (rows.length > 0) yield rows.map((r) => ({ contactId: r.contactId, version: r.seq }));
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.contactId;
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
      const photos = await directory.getPhotos(this.tenantId, users.filter((u) => u.photoHash).map((u) => u.id));
      for (const u of users) {
        const contact = projectContact({ ...u.data, id: u.id } as DirectoryUser, policy);
        out.set(u.id, { contact, updatedAt: u.updatedAt ?? 0, photo: photos.get(u.id) });
      }
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
