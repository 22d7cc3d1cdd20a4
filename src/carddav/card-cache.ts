/**
 * Serialized vCards, XML-escaped as address-data, shared by every request of the process, least recently used first out, bounded
 * in bytes. All devices of an audience fetch the same cards, and rendering a card (decrypting the
 * directory row, projecting it through the policy, writing and folding the vCard) costs far more
 * than sending it, so an initial sync of the second device onwards is mostly copying.
 *
 * Keys are `{audienceId}:{contactId}:{version}`. A card's version is its ETag, which changes whenever
 * what the audience sees of the contact changes (fields, photo, hidden fields), and audience ids and
 * feed numbers are never reused by the store, so a key always names the same bytes: entries are never
 * stale, only unused, and age out. Plaintext lives here as it does in the tab's directory views;
 * devices of a purged tenant are deleted with it, so nobody can ask for its keys again.
 */
/** 64 MiB: some 85,000 cards without photos (about 750 bytes each), or 5,000 with photos. */
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

export const DEFAULT_CARD_CACHE_BYTES = 64 * 1024 * 1024;

export class CardCache {
  private readonly entries = new Map<string, { text: string; size: number }>();
  private bytes = 0;

  /** 0 turns the cache off. */
  constructor(readonly maxBytes: number) {}

  static key(audienceId: number, contactId: string, version: number): string {
    return `${audienceId}:${contactId}:${version}`;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.text;
  }

  set(key: string, text: string): void {
    // What V8 holds: one byte a character for Latin-1 strings (most cards), two otherwise.
    const size = key.length + text.length * (NOT_LATIN1.test(text) ? 2 : 1);
    if (size > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { text, size });
    this.bytes += size;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.size;
  }
}
