/**
 * CardDAV (https://www.rfc-editor.org/rfc/rfc6352): the address-book properties, the
 * addressbook-multiget and addressbook-query reports, and address-data.
 *
 * The reports stream: responses are written a batch at a time, and each batch's cards are loaded
 * together (AddressBookCollection.loadAddressData), so a multiget of the whole book costs a few
 * batched reads, not one per card.
 */
import { evaluate, matchesAll, parseFilter } from './carddav-filter.js';
import { DavError } from './dav-error.js';
import { joinXml, MULTISTATUS_CONTENT_TYPE, statusXml, writeMultistatus } from './multistatus.js';
import type { DavContext, DavPlugin, DavResource, DavServer, PropRequest } from './server.js';
import { serializeVCard, VCARD_VERSION, type VCard } from './vcard.js';
import { pages, parsePropRequest } from './webdav.js';
import { child, childrenNamed, clark, dav, escapeXml, NS_CARDDAV, NS_DAV, qn, type QName, type XmlElement } from './xml.js';

export const ADDRESSBOOK: QName = qn(NS_CARDDAV, 'addressbook');
const MULTIGET = qn(NS_CARDDAV, 'addressbook-multiget');
const QUERY = qn(NS_CARDDAV, 'addressbook-query');
const ADDRESS_DATA = qn(NS_CARDDAV, 'address-data');

/** Cards per batch: one batched read of directory rows and photos per this many cards. */
const BATCH = 500;

/** An address book collection (RFC 6352 §5.2). */
export interface AddressBookCollection extends DavResource {
  readonly addressBook: true;
  description(): Promise<string | undefined>;
  members(): AsyncIterable<AddressObject[]>;
  /** Members by name (the last path segment, decoded); names that are not members are absent. */
  getMembers(names: readonly string[]): Promise<Map<string, AddressObject>>;
  /**
   * Loads these members in one batch. Afterwards each that still exists has `addressData`, and with
   * `'card'` also `card` (filters, partial address-data and GET need the card itself; the whole
   * card's address-data may come from a cache without it). The others are `gone`.
   */
  loadAddressData(objects: readonly AddressObject[], need: AddressDataNeed): Promise<void>;
}

export type AddressDataNeed = 'address-data' | 'card';

/** An address object resource (RFC 6352 §5.1): one vCard. */
export interface AddressObject extends DavResource {
  readonly collection: false;
  readonly book: AddressBookCollection;
  /** The card, once loaded with `'card'`. */
  card?: VCard | undefined;
  /** The whole card as the content of an address-data element (serialized, XML-escaped), once loaded. */
  addressData?: string | undefined;
  /** Set by loadAddressData when the contact vanished between listing and loading. */
  gone?: boolean;
}

export const isAddressBook = (r: DavResource): r is AddressBookCollection => (r as Partial<AddressBookCollection>).addressBook === true;
export const isAddressObject = (r: DavResource): r is AddressObject => {
  const book = (r as Partial<AddressObject>).book;
  return !r.collection && book !== undefined && isAddressBook(book);
};

export class CardDavPlugin implements DavPlugin {
  readonly name = 'carddav';
  private server!: DavServer;

  initialize(server: DavServer): void {
    this.server = server;
    server.onReport(MULTIGET, (ctx, r, body) => this.multiget(ctx, r, body));
    server.onReport(QUERY, (ctx, r, body) => this.query(ctx, r, body));
    // Defined on principals (§7.1.1); also answered on the other non-book collections because
    // DAVx5 and iOS ask for it on whatever URL the user typed.
    server.defineProperty({
      name: qn(NS_CARDDAV, 'addressbook-home-set'),
      get: (r, ctx) => (r.collection && !isAddressBook(r) ? dav('href', escapeXml(ctx.homeHref)) : undefined),
    });
    // vCard 3.0 only (§6.2.2): Apple's clients reject 4.0, and a client offered 4.0 would ask for it.
    server.defineProperty({
      name: qn(NS_CARDDAV, 'supported-address-data'),
      get: (r) => (isAddressBook(r) ? `<card:address-data-type content-type="text/vcard" version="${VCARD_VERSION}"/>` : undefined),
    });
    server.defineProperty({
      name: qn(NS_CARDDAV, 'addressbook-description'),
      get: async (r) => {
        const d = isAddressBook(r) ? await r.description() : undefined;
        return d === undefined ? undefined : escapeXml(d);
      },
    });
    // Only inside REPORTs (§10.4): in a PROPFIND it is an unknown property.
    server.defineProperty({
      name: ADDRESS_DATA,
      get: (r, ctx, request) => {
        if (ctx.method !== 'REPORT' || !isAddressObject(r)) return undefined;
        const only = partialNames(request);
        if (only) return r.card ? escapeXml(serializeVCard(r.card, only)) : undefined;
        return r.addressData;
      },
    });
  }

  getFeatures(): string[] {
    return ['addressbook'];
  }

  getSupportedReports(resource: DavResource): QName[] {
    return isAddressBook(resource) ? [MULTIGET, QUERY] : [];
  }

  async preload(resources: DavResource[], request: PropRequest, ctx: DavContext): Promise<void> {
    const element = addressDataRequest(request);
    if (ctx.method !== 'REPORT' || !element) return;
    const need: AddressDataNeed = partialNames(element) ? 'card' : 'address-data';
    const pending = resources.filter((r): r is AddressObject => isAddressObject(r) && !r.gone && (need === 'card' ? !r.card : r.addressData === undefined));
    const byBook = new Map<AddressBookCollection, AddressObject[]>();
    for (const o of pending) {
      const objects = byBook.get(o.book);
      if (objects) objects.push(o);
      else byBook.set(o.book, [o]);
    }
    for (const [book, objects] of byBook) await book.loadAddressData(objects, need);
  }

  /** RFC 6352 §8.7: the cards named by href, in the order asked, each once. */
  private async multiget(ctx: DavContext, target: DavResource, body: XmlElement): Promise<void> {
    if (!isAddressBook(target)) throw new DavError(403, 'addressbook-multiget is answered on the address book.', { condition: qn(NS_DAV, 'supported-report') });
    const request = reportProps(body);
    checkAddressDataRequest(request);
    const base = new URL(ctx.req.originalUrl, 'http://host/');
    const hrefs = [...new Set(childrenNamed(body, NS_DAV, 'href').map((h) => h.text.trim()))];
    const server = this.server;
    await writeMultistatus(ctx.stream(207, MULTISTATUS_CONTENT_TYPE), async function* () {
      for (let i = 0; i < hrefs.length; i += BATCH) {
        const chunk = hrefs.slice(i, i + BATCH).map((href) => ({ href, name: memberName(href, base, target.href) }));
        const members = await target.getMembers(chunk.flatMap((c) => (c.name === undefined ? [] : [c.name])));
        const found = chunk.flatMap((c) => (c.name !== undefined && members.has(c.name) ? [members.get(c.name)!] : []));
        await server.preload(found, request, ctx);
        yield await joinXml(chunk, (c) => {
          const member = c.name === undefined ? undefined : members.get(c.name);
          return !member || member.gone ? statusXml(canonicalHref(c.href, base), 404) : server.responseXml(member, request, ctx);
        });
      }
    });
  }

  /** RFC 6352 §8.6: the cards the filter matches; a limit truncates with a 507 for the book. */
  private async query(ctx: DavContext, target: DavResource, body: XmlElement): Promise<void> {
    // Depth 0 and 1 both search the book: Evolution sends Depth: 0 on the collection.
    if (!isAddressBook(target)) throw new DavError(403, 'addressbook-query is answered on the address book.', { condition: qn(NS_DAV, 'supported-report') });
    const request = reportProps(body);
    checkAddressDataRequest(request);
    const filter = parseFilter(child(body, NS_CARDDAV, 'filter'));
    const limitText = child(body, NS_CARDDAV, 'limit') && child(child(body, NS_CARDDAV, 'limit')!, NS_CARDDAV, 'nresults')?.text.trim();
    const limit = limitText ? Number(limitText) : Infinity;
    if (!(limit >= 0)) throw new DavError(400, 'CARDDAV:nresults must be a number.');
    const server = this.server;
    await writeMultistatus(ctx.stream(207, MULTISTATUS_CONTENT_TYPE), async function* () {
      let written = 0;
      for await (const page of pages(target.members(), BATCH)) {
        if (!matchesAll(filter)) await target.loadAddressData(page, 'card');
        const hits = page.filter((o) => !o.gone && (matchesAll(filter) || (o.card !== undefined && evaluate(filter, o.card))));
        const room = hits.slice(0, Math.max(0, limit - written));
        await server.preload(room, request, ctx);
        written += room.length;
        yield await joinXml(room, (o) => server.responseXml(o, request, ctx));
        if (room.length < hits.length) {
          yield statusXml(target.href, 507);
          return;
        }
      }
    });
  }
}

function reportProps(body: XmlElement): PropRequest {
  return parsePropRequest(body) ?? { kind: 'allprop', include: [] };
}

/** The address-data element of a request, when it asks for address data. */
function addressDataRequest(request: PropRequest): XmlElement | undefined {
  const asked = request.kind === 'prop' ? request.props : request.kind === 'allprop' ? request.include : [];
  return asked.find((p) => clark(p) === clark(ADDRESS_DATA));
}

/** RFC 6352 §8.7 precondition supported-address-data: we serve text/vcard 3.0 and nothing else. */
function checkAddressDataRequest(request: PropRequest): void {
  const el = request.kind === 'prop' ? addressDataRequest(request) : undefined;
  if (!el) return;
  const type = el.attrs['content-type'];
  const version = el.attrs.version;
  if ((type !== undefined && type.toLowerCase() !== 'text/vcard') || (version !== undefined && version !== VCARD_VERSION)) {
    throw new DavError(403, `Address data is served as text/vcard version ${VCARD_VERSION} only.`, { condition: qn(NS_CARDDAV, 'supported-address-data') });
  }
}

/** RFC 6352 §10.4.2: `<card:prop name="UID"/>` children ask for those properties only. */
function partialNames(request: XmlElement | undefined): Set<string> | undefined {
  if (!request) return undefined;
  // Asked once per card of a report, with the same element each time: read it once.
  if (partialNamesOf.has(request)) return partialNamesOf.get(request);
  const names = child(request, NS_CARDDAV, 'allprop') ? [] : childrenNamed(request, NS_CARDDAV, 'prop').flatMap((p) => (p.attrs.name ? [p.attrs.name.toUpperCase()] : []));
  const only = names.length > 0 ? new Set(names) : undefined;
  partialNamesOf.set(request, only);
  return only;
}

const partialNamesOf = new WeakMap<XmlElement, Set<string> | undefined>();

/** The member name an href points to in `collectionHref`, or undefined when it points elsewhere. */
function memberName(href: string, base: URL, collectionHref: string): string | undefined {
  // Most hrefs are the paths we listed, verbatim: a plain name after the collection's path needs
  // no URL parsing (unreserved characters only, so nothing to decode and no dot segment).
  if (href.startsWith(collectionHref)) {
    const rest = href.slice(collectionHref.length);
    if (PLAIN_NAME.test(rest)) return rest;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(href, base).pathname);
  } catch {
    return undefined;
  }
  const collection = decodeURIComponent(collectionHref);
  if (!path.startsWith(collection)) return undefined;
  const name = path.slice(collection.length);
  return name === '' || name.includes('/') ? undefined : name;
}

const PLAIN_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._~-]+$/;

/** The path of an href as we answer it (clients compare paths; full URLs are reduced to theirs). */
function canonicalHref(href: string, base: URL): string {
  try {
    return new URL(href, base).pathname;
  } catch {
    return href;
  }
}
