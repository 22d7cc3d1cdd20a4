import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedPositionUnavailable, type AddressBookData } from '../../src/carddav/address-book-store.js';
import { FeedAddressBookStore } from '../../src/carddav/feed-address-book.js';
import { CardDavFixture, CONTOSO_TENANT_ID } from './helpers.js';

/** Counts the statements a piece of code sends, to show reads are batched and not one per card. */
class QueryCounter implements KyselyPlugin {
  count = 0;
  transformQuery: KyselyPlugin['transformQuery'] = (args) => {
    this.count++;
    return args.node;
  };
  transformResult: KyselyPlugin['transformResult'] = async (args) => args.result;
}

async function collect<T>(source: AsyncIterable<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of source) pages.push(page);
  return pages;
}

/** The storage port's contract, on both databases the service runs on. */
describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('FeedAddressBookStore on %s', (_name, postgres) => {
  let f: CardDavFixture;
  const counter = new QueryCounter();
  let store: FeedAddressBookStore;
  const principal = (upn: string) => ({ deviceId: 'd', tenantId: CONTOSO_TENANT_ID, userId: f.user(upn) });
  let book: AddressBookData;

  beforeAll(async () => {
    f = await CardDavFixture.start({ postgres });
    store = new FeedAddressBookStore({ db: f.store.db.withPlugin(counter), cipher: f.cipher });
    book = await store.open(principal('grace.kim@contoso.example'));
  });
  afterAll(() => f.stop());

  it('lists the audience a page at a time in contact id order, with versions from the feed', async () => {
    const pages = await collect(book.list(4));
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    const ids = pages.flat().map((c) => c.contactId);
    expect(ids).toEqual([...ids].sort());
    const engineering = f.truth.directMembers(f.group('Engineering')).map((m) => m.id).sort();
    expect([...ids].sort()).toEqual(engineering);
    const position = await book.position();
    expect(position.audienceId).toBe(book.audienceId);
    for (const c of pages.flat()) expect(c.version).toBeLessThanOrEqual(position.seq);
  });

  it('gives versions only for contacts of the book', async () => {
    const [first] = (await collect(book.list())).flat();
    const versions = await book.versions([first!.contactId, f.user('marcus.lee@contoso.example'), 'nobody']);
    expect([...versions]).toEqual([[first!.contactId, first!.version]]);
  });

  it('reads contents in batches (a constant number of statements, not one per card), with hidden fields removed', async () => {
    const ids = (await collect(book.list())).flat().map((c) => c.contactId);
    counter.count = 0;
    const contents = await book.contents(ids);
    expect(counter.count).toBeLessThanOrEqual(5); // policy, users, update times, photos
    expect(contents.size).toBe(6);
    const yuki = contents.get(f.user('yuki.tanaka@contoso.example'))!;
    expect(yuki.contact.displayName).toBe('Yuki Tanaka');
    expect(yuki.contact.mobilePhone).toBeNull(); // hidden by the fixture's policy
    expect(yuki.photo?.contentType).toBe('image/png');
    expect(yuki.updatedAt).toBeGreaterThan(0);
  });

  it('reports changes after a position, and refuses positions it cannot continue from', async () => {
    const position = await book.position();
    expect(await collect(book.sync!.changesSince(position))).toEqual([]);
    await f.control(`/users/${f.user('liam.novak@contoso.example')}`, { method: 'PATCH', body: { jobTitle: 'Principal Engineer' } });
    await f.sync();
    const changes = (await collect(book.sync!.changesSince(position))).flat();
    expect(changes.map((c) => [c.contactId, c.op])).toEqual([[f.user('liam.novak@contoso.example'), 'upsert']]);
    await expect(collect(book.sync!.changesSince({ audienceId: book.audienceId + 1000, seq: 0 }))).rejects.toMatchObject({ reason: 'other-audience' });
    await expect(collect(book.sync!.changesSince({ audienceId: book.audienceId, seq: position.seq + 10_000 }))).rejects.toBeInstanceOf(FeedPositionUnavailable);
  });

  it('a user who receives nothing has an empty book at position 0-0', async () => {
    const empty = await store.open(principal('isabella.garcia@contoso.example'));
    expect(empty.audienceId).toBe(0);
    expect(await collect(empty.list())).toEqual([]);
    expect(await empty.position()).toEqual({ audienceId: 0, seq: 0 });
    expect(await collect(empty.sync!.changesSince({ audienceId: 0, seq: 0 }))).toEqual([]);
  });
});
