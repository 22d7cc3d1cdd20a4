/**
 * The DAV tree one device sees, built per request over its AddressBookData:
 *
 *   /dav/                                       root (where /.well-known/carddav points)
 *   /dav/principals/{deviceId}/                 the device's principal
 *   /dav/addressbooks/{deviceId}/               its address book home
 *   /dav/addressbooks/{deviceId}/contacts/      its one address book (macOS shows only the first
 *                                               book of an account, iOS syncs every book it finds)
 *   /dav/addressbooks/{deviceId}/contacts/{contactId}.vcf
 *
 * Another device's id in a path is answered exactly like a path that does not exist: 404, so
 * nothing tells whether that device exists. This module is glue: it implements the capability
 * interfaces of carddav.ts, sync.ts, ctag.ts and acl.ts over the storage port, and translates the
 * store's FeedPositionUnavailable into the sync module's InvalidSyncToken.
 */
import type { DevicePrincipal } from '../devices/device-principal.js';
import { FeedPositionUnavailable, type AddressBookData, type FeedEntry, type FeedPosition } from './address-book-store.js';
import type { PrincipalResource } from './acl.js';
import { CardCache } from './card-cache.js';
import { ADDRESSBOOK, type AddressBookCollection, type AddressDataNeed, type AddressObject } from './carddav.js';
import type { CTagCollection } from './ctag.js';
import { DavError } from './dav-error.js';
import type { DavResource } from './server.js';
import { InvalidSyncToken, type SyncChanges, type SyncCollection } from './sync.js';
import { contactCard, serializeVCard, VCARD_CONTENT_TYPE, type VCard } from './vcard.js';
import { escapeXml, NS_DAV, qn } from './xml.js';

export const DAV_ROOT = '/dav/';
const COLLECTION = qn(NS_DAV, 'collection');
const PRINCIPAL = qn(NS_DAV, 'principal');
const BOOK_NAME = 'contacts';
const CARD_SUFFIX = '.vcf';

export function davPaths(deviceId: string) {
  const id = encodeURIComponent(deviceId);
  return {
    principal: `${DAV_ROOT}principals/${id}/`,
    home: `${DAV_ROOT}addressbooks/${id}/`,
    book: `${DAV_ROOT}addressbooks/${id}/${BOOK_NAME}/`,
  };
}

/**
 * Sync tokens are `{publicUrl}/dav/sync/{audienceId}-{seq}`: a URI as RFC 6578 §4 requires, naming
 * a position in the feed of the audience the device's owner was in. Only the last segment is read
 * back, so tokens survive a change of host name. A token of another audience (the owner changed
 * groups, or lost access) cannot be continued from: the device must start over.
 */
export function encodeSyncToken(publicUrl: string, p: FeedPosition): string {
  return `${publicUrl}${DAV_ROOT}sync/${p.audienceId}-${p.seq}`;
}

export function parseSyncToken(token: string): FeedPosition | undefined {
  const m = /\/sync\/(\d{1,15})-(\d{1,15})$/.exec(token);
  return m ? { audienceId: Number(m[1]), seq: Number(m[2]) } : undefined;
}

export class DeviceTree {
  readonly paths: ReturnType<typeof davPaths>;
  private book: Promise<BookResource> | undefined;

  constructor(
    private readonly principal: DevicePrincipal,
    private readonly openBook: () => Promise<AddressBookData>,
    private readonly publicUrl: string,
    private readonly cards: CardCache,
  ) {
    this.paths = davPaths(principal.deviceId);
  }

  /** The book resource, opened once per request. */
  addressBook(): Promise<BookResource> {
    return (this.book ??= this.openBook().then((data) => new BookResource(this.paths.book, data, this.publicUrl, this.cards)));
  }

  /** The resource at a decoded absolute path, or undefined. */
  async resolve(path: string): Promise<DavResource | undefined> {
    if (!path.startsWith('/dav')) return undefined;
    const segments = path.slice(4).split('/').filter((s) => s !== '');
    if (segments.length === 0) return new RootResource();
    const [kind, deviceId, book, card, ...rest] = segments;
    if (deviceId !== this.principal.deviceId || rest.length > 0) return undefined;
    if (kind === 'principals' && book === undefined) return new DevicePrincipalResource(this.paths.principal);
    if (kind !== 'addressbooks') return undefined;
    if (book === undefined) return new HomeResource(this.paths.home, () => this.addressBook());
    if (book !== BOOK_NAME) return undefined;
    if (card === undefined) return this.addressBook();
    return (await (await this.addressBook()).getMembers([card])).get(card);
  }
}

class RootResource implements DavResource {
  readonly href = DAV_ROOT;
  readonly collection = true;
  readonly resourceTypes = [COLLECTION];
  async displayName() {
    return 'Switchboard';
  }
}

class DevicePrincipalResource implements PrincipalResource {
  readonly collection = true;
  readonly principal = true;
  readonly resourceTypes = [COLLECTION, PRINCIPAL];
  constructor(readonly href: string) {}
  async displayName() {
    return 'Switchboard device';
  }
}

class HomeResource implements DavResource {
  readonly collection = true;
  readonly resourceTypes = [COLLECTION];
  constructor(
    readonly href: string,
    private readonly book: () => Promise<BookResource>,
  ) {}
  async displayName() {
    return 'Address books';
  }
  async *members(): AsyncIterable<DavResource[]> {
    yield [await this.book()];
  }
}

export class BookResource implements AddressBookCollection, SyncCollection, CTagCollection {
  readonly collection = true;
  readonly addressBook = true;
  readonly syncCollection = true;
  readonly resourceTypes = [COLLECTION, ADDRESSBOOK];
  private position: Promise<FeedPosition> | undefined;

  constructor(
    readonly href: string,
    private readonly data: AddressBookData,
    private readonly publicUrl: string,
    private readonly cards: CardCache,
  ) {}

  displayName() {
    return this.data.displayName();
  }

  async description() {
    return 'Colleagues from the company directory, kept up to date by Switchboard (read-only).';
  }

  private currentPosition(): Promise<FeedPosition> {
    return (this.position ??= this.data.position());
  }

  async getSyncToken(): Promise<string> {
    return encodeSyncToken(this.publicUrl, await this.currentPosition());
  }

  /** The ctag is the sync token: both change exactly when a card of the book does. */
  getCTag(): Promise<string> {
    return this.getSyncToken();
  }

  private card(contactId: string, version: number): CardResource {
    return new CardResource(`${this.href}${encodeURIComponent(contactId)}${CARD_SUFFIX}`, contactId, version, this);
  }

  async *members(): AsyncIterable<CardResource[]> {
    for await (const page of this.data.list()) yield page.map((c) => this.card(c.contactId, c.version));
  }

  async getMembers(names: readonly string[]): Promise<Map<string, CardResource>> {
    const ids = new Map<string, string>();
    for (const name of names) if (name.endsWith(CARD_SUFFIX) && name.length > CARD_SUFFIX.length) ids.set(name.slice(0, -CARD_SUFFIX.length), name);
    const versions = await this.data.versions([...ids.keys()]);
    const out = new Map<string, CardResource>();
    for (const [id, version] of versions) out.set(ids.get(id)!, this.card(id, version));
    return out;
  }

  async loadAddressData(objects: readonly AddressObject[], need: AddressDataNeed): Promise<void> {
    const cards = objects.filter((o): o is CardResource => o instanceof CardResource);
    const toRead: CardResource[] = [];
    for (const c of cards) {
      const cached = need === 'address-data' ? this.cards.get(this.cacheKey(c)) : undefined;
      if (cached === undefined) toRead.push(c);
      else c.addressData = cached;
    }
    if (toRead.length === 0) return;
    const contents = await this.data.contents(toRead.map((c) => c.contactId));
    for (const c of toRead) {
      const content = contents.get(c.contactId);
      if (!content) {
        c.gone = true;
        continue;
      }
      c.card = contactCard({ contact: content.contact, revision: content.updatedAt, photo: content.photo });
      // Cached escaped: every vCard has CRs to escape, and escaping costs as much as copying.
      c.addressData = escapeXml(serializeVCard(c.card));
      this.cards.set(this.cacheKey(c), c.addressData);
    }
  }

  private cacheKey(c: CardResource): string {
    return CardCache.key(this.data.audienceId, c.contactId, c.version);
  }

  async getChanges(token: string | undefined, limit?: number): Promise<SyncChanges> {
    return token === undefined ? this.initialSync(limit) : this.deltaSync(token, limit);
  }

  /**
   * Every member, streamed from the book's index, with the position read before listing them: a
   * change committed meanwhile is in the listing and reported again next time, never lost.
   */
  private async initialSync(limit = Infinity): Promise<SyncChanges> {
    const position = await this.currentPosition();
    let truncated = false;
    const members = () => this.members();
    async function* changed(): AsyncIterable<CardResource[]> {
      let count = 0;
      for await (const page of members()) {
        const room = page.slice(0, Math.max(0, limit - count));
        count += room.length;
        if (room.length > 0) yield room;
        if (room.length < page.length) {
          truncated = true;
          return;
        }
      }
    }
    return {
      changed: changed(),
      removed: [],
      truncated: () => truncated,
      // A truncated first sync cannot be continued by contact id; continuing from the start of the
      // feed reports every member again, in feed order, so each later call makes progress.
      syncToken: () => encodeSyncToken(this.publicUrl, truncated ? { audienceId: position.audienceId, seq: 0 } : position),
    };
  }

  /** Feed entries since the token, collapsed to the last entry per contact. */
  private async deltaSync(token: string, limit = Infinity): Promise<SyncChanges> {
    const since = parseSyncToken(token);
    if (!since) throw new InvalidSyncToken(token, 'not a sync token of this server');
    if (!this.data.sync) throw new InvalidSyncToken(token, 'this address book cannot report changes');
    const last = new Map<string, FeedEntry>();
    let seq = since.seq;
    let truncated = false;
    try {
      outer: for await (const page of this.data.sync.changesSince(since)) {
        for (const entry of page) {
          if (!last.has(entry.contactId) && last.size >= limit) {
            truncated = true;
            break outer;
          }
          // Re-inserting keeps the map in the order of each contact's last change.
          last.delete(entry.contactId);
          last.set(entry.contactId, entry);
          seq = entry.seq;
        }
      }
    } catch (err) {
      if (err instanceof FeedPositionUnavailable) throw new InvalidSyncToken(token, err.reason, { cause: err });
      throw err;
    }
    const changed: CardResource[] = [];
    const removed: string[] = [];
    for (const e of last.values()) {
      if (e.op === 'upsert') changed.push(this.card(e.contactId, e.seq));
      else removed.push(this.card(e.contactId, e.seq).href);
    }
    const syncToken = encodeSyncToken(this.publicUrl, { audienceId: since.audienceId, seq });
    return { syncToken: () => syncToken, changed: paged(changed, 500), removed, truncated: () => truncated };
  }
}

export class CardResource implements AddressObject {
  readonly collection = false;
  readonly resourceTypes = [];
  readonly contentType = VCARD_CONTENT_TYPE;
  /** Strong ETag: the feed number of the card's last change in this book (unique per tenant). */
  readonly etag: string;
  card?: VCard | undefined;
  addressData?: string | undefined;
  gone?: boolean;

  constructor(
    readonly href: string,
    readonly contactId: string,
    readonly version: number,
    readonly book: BookResource,
  ) {
    this.etag = `"${version}"`;
  }

  async read() {
    if (!this.card && !this.gone) await this.book.loadAddressData([this], 'card');
    if (!this.card) throw new DavError(404, 'This contact is no longer in the address book.');
    return { body: serializeVCard(this.card), contentType: VCARD_CONTENT_TYPE, etag: this.etag };
  }
}

async function* paged<T>(items: T[], size: number): AsyncIterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
