/**
 * The storage port of the CardDAV layer: what a device's address book needs from the store, and
 * nothing about SQL, audiences' internals or encryption. Modelled on sabre/dav's CardDAV
 * `Backend\BackendInterface` with `SyncSupport` as an optional extension; feed-address-book.ts is
 * the implementation over the sync core's change feed, and tests may substitute an in-memory one.
 *
 * Positions: a card's `version` and a book's `position` are numbers of the sync core's change feed.
 * A contact's version is the feed number of its last change as this book sees it, so it changes
 * exactly when the card does; it is the card's ETag.
 */
import type { Contact } from '../core/policy/contact-fields.js';
import type { DevicePrincipal } from '../devices/device-principal.js';

export interface CardVersion {
  contactId: string;
  version: number;
}

export interface CardContent {
  /** The contact with the tenant policy's hidden fields already removed. */
  contact: Contact;
  /** When the directory copy was last written (epoch ms). */
  updatedAt: number;
  photo?: { contentType: string; bytes: Buffer } | undefined;
}

/** A place in one audience's change feed; `audienceId` 0 means "the owner receives nothing". */
export interface FeedPosition {
  audienceId: number;
  seq: number;
}

export interface FeedEntry {
  contactId: string;
  seq: number;
  op: 'upsert' | 'remove';
}

/** Why a feed position given back by a client cannot be continued from. */
export type UnavailableReason =
  /** The device's owner now sees another audience (moved group), or none at all. */
  | 'other-audience'
  /** Later than anything the feed holds: a store restored from backup, or a forged token. */
  | 'ahead'
  /** Older than the feed keeps (after compaction). */
  | 'expired';

/** Domain error: the feed cannot say what changed since this position. */
export class FeedPositionUnavailable extends Error {
  constructor(
    readonly position: FeedPosition,
    readonly reason: UnavailableReason,
  ) {
    super(`Feed position ${position.audienceId}-${position.seq} is unavailable (${reason})`);
    this.name = 'FeedPositionUnavailable';
  }
}

export interface AddressBookStore {
  /** The book a device sees now. Opened once per request; its reads are its own. */
  open(principal: DevicePrincipal): Promise<AddressBookData>;
}

/** One device's book, as of the request. Every read is indexed and batched; none reads one card at a time. */
export interface AddressBookData {
  /** The audience the owner is in now (0: none, an empty book). */
  readonly audienceId: number;
  displayName(): Promise<string>;
  /** The latest feed position of the book: its ctag and sync token. */
  position(): Promise<FeedPosition>;
  /** Versions of the given contacts that are in the book; others are absent from the map. */
  versions(contactIds: readonly string[]): Promise<Map<string, number>>;
  /** Every card of the book, a page at a time, in contact id order. */
  list(pageSize?: number): AsyncIterable<CardVersion[]>;
  /** Contents of the given contacts, fetched in batches; contacts gone from the directory are absent. */
  contents(contactIds: readonly string[]): Promise<Map<string, CardContent>>;
  /** The optional sync extension (RFC 6578); without it clients fall back to ctag and ETags. */
  readonly sync?: SyncSupport;
}

export interface SyncSupport {
  /**
   * Feed entries after `since`, in feed order, a page at a time. Throws FeedPositionUnavailable when
   * `since` is not a position of this book's feed. The caller collapses several entries for one
   * contact into the last one.
   */
  changesSince(since: FeedPosition, pageSize?: number): AsyncIterable<FeedEntry[]>;
}
