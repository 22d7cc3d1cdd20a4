import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressBookStore } from '../../src/carddav/address-book-store.js';
import { CardCache } from '../../src/carddav/card-cache.js';
import { evolution, thunderbird } from './client-bodies.js';
import { CARD, CardDavFixture, DAV, multistatus, type Device } from './helpers.js';

describe('CardCache', () => {
  it('keeps entries within its byte bound, dropping the least recently used first', () => {
    const card = 'x'.repeat(100);
    const keySize = CardCache.key(1, 'a', 1).length;
    const cache = new CardCache(3 * (keySize + card.length));
    cache.set(CardCache.key(1, 'a', 1), card);
    cache.set(CardCache.key(1, 'b', 1), card);
    cache.set(CardCache.key(1, 'c', 1), card);
    expect(cache.get(CardCache.key(1, 'a', 1))).toBe(card); // a is now the most recently used
    cache.set(CardCache.key(1, 'd', 1), card);
    expect(cache.get(CardCache.key(1, 'b', 1))).toBeUndefined();
    expect([CardCache.key(1, 'a', 1), CardCache.key(1, 'c', 1), CardCache.key(1, 'd', 1)].map((k) => cache.get(k))).toEqual([card, card, card]);
    expect(cache.usedBytes).toBeLessThanOrEqual(cache.maxBytes);
  });

  it('counts two bytes a character for text outside Latin-1, and stores nothing larger than the bound', () => {
    const cache = new CardCache(1000);
    cache.set('k1', 'é'.repeat(100));
    expect(cache.usedBytes).toBe(2 + 100);
    cache.set('k2', '日'.repeat(100));
    expect(cache.usedBytes).toBe(2 + 100 + 2 + 200);
    cache.set('k3', 'y'.repeat(2000));
    expect(cache.get('k3')).toBeUndefined();
    expect(cache.size).toBe(2);
    const off = new CardCache(0);
    off.set('k', 'v');
    expect(off.size).toBe(0);
  });

  it('replacing an entry does not count it twice', () => {
    const cache = new CardCache(1000);
    cache.set('k', 'a'.repeat(10));
    cache.set('k', 'b'.repeat(20));
    expect(cache.usedBytes).toBe(1 + 20);
    expect(cache.get('k')).toBe('b'.repeat(20));
  });
});

/** The DAV layer with the cache, over the feed: what it reads from the store, and what devices get. */
describe('CardDAV: rendered cards are shared by the devices of an audience', () => {
  let f: CardDavFixture;
  const read: string[][] = [];
  let first: Device;
  let second: Device;

  beforeAll(async () => {
    const counting = (store: AddressBookStore): AddressBookStore => ({
      open: async (principal) => {
        const book = await store.open(principal);
        return Object.assign(Object.create(book) as typeof book, {
          contents: (ids: readonly string[]) => {
            read.push([...ids]);
            return book.contents(ids);
          },
        });
      },
    });
    f = await CardDavFixture.start({ books: counting });
    first = f.device('grace.kim@contoso.example');
    second = f.device('grace.kim@contoso.example');
  });
  afterAll(() => f.stop());

  const hrefs = async (d: Device) => {
    const ms = await multistatus(await f.request('PROPFIND', d.book, { device: d, depth: '1', body: '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>' }));
    return ms.responses.slice(1).map((r) => r.href);
  };
  const cards = async (d: Device) => {
    const ms = await multistatus(await f.request('REPORT', d.book, { device: d, depth: '1', body: thunderbird.multiget(await hrefs(d)) }));
    return new Map(ms.responses.map((r) => [r.href.split('/').at(-1)!, { etag: r.ok.get(DAV('getetag'))!.text, card: r.ok.get(CARD('address-data'))!.text }]));
  };

  it('the second device gets the same cards without a read of the directory; a changed contact is read and rendered anew', async () => {
    const mine = await cards(first);
    expect(read.flat()).toHaveLength(mine.size);
    read.length = 0;
    const theirs = await cards(second);
    expect(read).toEqual([]);
    expect(theirs).toEqual(mine);

    const liam = f.user('liam.novak@contoso.example');
    await f.control(`/users/${liam}`, { method: 'PATCH', body: { jobTitle: 'Distinguished Engineer' } });
    await f.sync();
    const after = await cards(second);
    expect(read.flat()).toEqual([liam]);
    expect(after.get(`${liam}.vcf`)!.card).toContain('TITLE:Distinguished Engineer');
    expect(after.get(`${liam}.vcf`)!.etag).not.toBe(mine.get(`${liam}.vcf`)!.etag);
    for (const [name, c] of after) if (name !== `${liam}.vcf`) expect(c).toEqual(mine.get(name));
  });

  it('partial address-data and query filters still read the cards themselves', async () => {
    read.length = 0;
    const ms = await multistatus(await f.request('REPORT', first.book, { device: first, depth: '0', body: evolution.listExisting }));
    expect(ms.responses).toHaveLength(6);
    for (const r of ms.responses) expect(r.ok.get(CARD('address-data'))!.text).toMatch(/^BEGIN:VCARD\r\nVERSION:3\.0\r\nUID:[0-9a-f-]+\r\nEND:VCARD\r\n$/);
    expect(read.flat()).toHaveLength(6);
    read.length = 0;
    const query = `<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><card:filter><card:prop-filter name="TITLE"><card:text-match collation="i;unicode-casemap" match-type="contains">Distinguished</card:text-match></card:prop-filter></card:filter></card:addressbook-query>`;
    const hits = await multistatus(await f.request('REPORT', first.book, { device: first, depth: '1', body: query }));
    expect(hits.responses.map((r) => r.href.split('/').at(-1))).toEqual([`${f.user('liam.novak@contoso.example')}.vcf`]);
    expect(read.flat()).toHaveLength(6);
  });
});
