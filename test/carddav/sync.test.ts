import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davx5, ios, thunderbird } from './client-bodies.js';
import { CARD, CardDavFixture, DAV, multistatus, vobjectParse, type Device, type Multistatus } from './helpers.js';

/**
 * Collection synchronization (RFC 6578) over the sync core's change feed: changes made in the dev
 * tenant, synced by the sync core, reach devices as the next sync-collection answer.
 */
describe('CardDAV: sync-collection (RFC 6578)', () => {
  let f: CardDavFixture;
  let marcus: Device;
  let diego: Device;
  let grace: Device;
  const upn = (name: string) => `${name}@contoso.example`;

  beforeAll(async () => {
    f = await CardDavFixture.start();
    marcus = f.device(upn('marcus.lee'));
    diego = f.device(upn('diego.fernandez'));
    grace = f.device(upn('grace.kim'));
  });
  afterAll(() => f.stop());

  const sync = (d: Device, body: string, options: { depth?: string; userAgent?: string } = {}) =>
    f.request('REPORT', d.book, { device: d, body, ...(options.depth === undefined ? {} : { depth: options.depth }), headers: options.userAgent ? { 'user-agent': options.userAgent } : {} });
  const href = (d: Device, name: string) => `${d.book}${f.user(upn(name))}.vcf`;
  const etags = (ms: Multistatus) => new Map(ms.responses.filter((r) => r.ok.has(DAV('getetag'))).map((r) => [r.href, r.ok.get(DAV('getetag'))!.text]));
  const gone = (ms: Multistatus) => ms.responses.filter((r) => r.status === 'HTTP/1.1 404 Not Found').map((r) => r.href);

  let marcusToken: string;
  let diegoToken: string;

  it('rfc6578 3.8 initial sync (DAVx5, empty sync-token): every card with its ETag and a token that is a URI', async () => {
    const ms = await multistatus(await sync(marcus, davx5.syncCollection(null), { depth: '0', userAgent: davx5.userAgent }));
    expect([...etags(ms).keys()].sort()).toEqual([href(marcus, 'marcus.lee'), href(marcus, 'hannah.obrien'), href(marcus, 'diego.fernandez')].sort());
    expect(ms.syncToken).toMatch(/^https:\/\/switchboard\.test\/dav\/sync\/\d+-\d+$/);
    // The token of the answer is the book's sync-token property.
    const prop = await multistatus(await f.request('PROPFIND', marcus.book, { device: marcus, depth: '0', body: thunderbird.syncToken }));
    expect(prop.responses[0]!.ok.get(DAV('sync-token'))!.text).toBe(ms.syncToken);
    marcusToken = ms.syncToken!;
    diegoToken = (await multistatus(await sync(diego, ios.syncCollection(''), { userAgent: ios.userAgent }))).syncToken!;
  });

  it('rfc6578 3.2 the Depth header is ignored (Thunderbird sends 1, DAVx5 0, vdirsyncer none), and address-data is allowed in prop', async () => {
    const answers = await Promise.all(['0', '1', 'infinity', undefined].map(async (depth) => multistatus(await sync(marcus, thunderbird.syncCollection(''), depth === undefined ? {} : { depth }))));
    for (const ms of answers) {
      expect(ms.responses).toHaveLength(3);
      expect(ms.syncToken).toBe(marcusToken);
    }
    const cards = answers[0]!.responses.map((r) => r.ok.get(CARD('address-data'))!.text);
    expect(vobjectParse(cards).map((c) => c.FN[0]).sort()).toEqual(['Diego Fernández', "Hannah O'Brien", 'Marcus Lee']);
  });

  it('rfc6578 3.5 nothing changed: no responses and the same token', async () => {
    const ms = await multistatus(await sync(marcus, thunderbird.syncCollection(marcusToken), { depth: '1', userAgent: thunderbird.userAgent }));
    expect(ms.responses).toEqual([]);
    expect(ms.syncToken).toBe(marcusToken);
  });

  it('rfc6578 3.5 a change made in the directory reaches the next sync-collection with a new ETag and a new token', async () => {
    const hannah = href(marcus, 'hannah.obrien');
    const before = etags(await multistatus(await sync(marcus, davx5.syncCollection(null)))).get(hannah)!;
    await f.control(`/users/${f.user(upn('hannah.obrien'))}`, { method: 'PATCH', body: { jobTitle: 'Senior Account Executive' } });
    await f.sync();
    const ms = await multistatus(await sync(marcus, thunderbird.syncCollection(marcusToken), { depth: '1' }));
    expect(ms.responses.map((r) => r.href)).toEqual([hannah]);
    const etag = ms.responses[0]!.ok.get(DAV('getetag'))!.text;
    expect(etag).not.toBe(before);
    expect(vobjectParse([ms.responses[0]!.ok.get(CARD('address-data'))!.text])[0]!.TITLE).toEqual(['Senior Account Executive']);
    expect(ms.syncToken).not.toBe(marcusToken);
    expect((await f.request('GET', hannah, { device: marcus })).headers.get('etag')).toBe(etag);
    marcusToken = ms.syncToken!;
  });

  it('rfc6578 3.5.2 a contact who leaves the group is reported 404, and is no longer in the book', async () => {
    await f.control(`/groups/${f.group('Sales NA')}/members/${f.user(upn('diego.fernandez'))}`, { method: 'DELETE' });
    await f.sync();
    const ms = await multistatus(await sync(marcus, ios.syncCollection(marcusToken), { userAgent: ios.userAgent }));
    expect(gone(ms)).toEqual([href(marcus, 'diego.fernandez')]);
    expect(ms.responses[0]!.propstats).toEqual([]);
    expect((await f.request('GET', href(marcus, 'diego.fernandez'), { device: marcus })).status).toBe(404);
    marcusToken = ms.syncToken!;
  });

  it('rfc6578 3.2 a token the owner can no longer use (they lost access) → 403 valid-sync-token; starting over gives an empty book', async () => {
    const res = await sync(diego, davx5.syncCollection(diegoToken), { userAgent: davx5.userAgent });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<d:valid-sync-token/>');
    const fresh = await multistatus(await sync(diego, davx5.syncCollection(null)));
    expect(fresh.responses).toEqual([]);
    expect(fresh.syncToken).toMatch(/\/dav\/sync\/0-0$/);
    const again = await multistatus(await sync(diego, davx5.syncCollection(fresh.syncToken!)));
    expect(again.responses).toEqual([]);
  });

  it('rfc6578 3.2 invalid sync-token → 403 valid-sync-token (malformed, or later than the feed)', async () => {
    const ahead = marcusToken.replace(/-(\d+)$/, (_, n: string) => `-${Number(n) + 1000}`);
    for (const token of ['http://example.com/not-ours', 'urn:uuid:0b9c4a4e-1111-4222-8333-444455556666', ahead]) {
      const res = await sync(marcus, davx5.syncCollection(token), { userAgent: davx5.userAgent });
      expect(res.status, token).toBe(403);
      expect(await res.text()).toContain('<d:valid-sync-token/>');
    }
  });

  it('Thunderbird: an unusable token is answered 400 (the same valid-sync-token body), the only status it recovers from', async () => {
    const res = await sync(marcus, thunderbird.syncCollection('http://example.com/not-ours'), { depth: '1', userAgent: thunderbird.userAgent });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<d:valid-sync-token/>');
  });

  it('rfc6578 3.2 an old token after the owner moved to another audience → valid-sync-token; a fresh sync shows the new audience', async () => {
    const marcusId = f.user(upn('marcus.lee'));
    await f.control(`/groups/${f.group('Sales NA')}/members/${marcusId}`, { method: 'DELETE' });
    await f.control(`/groups/${f.group('Sales EU')}/members`, { method: 'POST', body: { id: marcusId } });
    await f.sync();
    const res = await sync(marcus, ios.syncCollection(marcusToken), { userAgent: ios.userAgent });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<d:valid-sync-token/>');
    const fresh = await multistatus(await sync(marcus, ios.syncCollection('')));
    expect([...etags(fresh).keys()].sort()).toEqual(['jonas.becker', 'chloe.durand', 'oliver.bennett', 'sofia.rossi', 'marcus.lee'].map((n) => href(marcus, n)).sort());
    expect(fresh.syncToken).not.toBe(marcusToken);
  });

  it('hiding a field changes every card: the next sync lists them all with new ETags and without the field', async () => {
    const start = await multistatus(await sync(grace, davx5.syncCollection(null)));
    await f.savePolicy((p) => ({ ...p, hiddenFields: ['mobilePhone', 'jobTitle'] }));
    const ms = await multistatus(await sync(grace, thunderbird.syncCollection(start.syncToken!), { depth: '1' }));
    expect(ms.responses).toHaveLength(6);
    for (const r of ms.responses) {
      expect(r.ok.get(DAV('getetag'))!.text).not.toBe(etags(start).get(r.href));
      expect(r.ok.get(CARD('address-data'))!.text).not.toContain('TITLE');
    }
  });

  it('rfc6578 3.6 a limit truncates with a 507 for the book; following the tokens collects every card', async () => {
    const body = (token: string) => `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:limit><d:nresults>2</d:nresults></d:limit><d:prop><d:getetag/></d:prop></d:sync-collection>`;
    const seen = new Set<string>();
    let token = '';
    for (let round = 0; round < 20; round++) {
      const ms = await multistatus(await sync(grace, body(token)));
      const cards = ms.responses.filter((r) => r.href !== grace.book);
      expect(cards.length).toBeLessThanOrEqual(2);
      for (const c of cards) if (c.ok.has(DAV('getetag'))) seen.add(c.href);
      token = ms.syncToken!;
      if (!ms.byHref.has(grace.book)) break;
      expect(ms.byHref.get(grace.book)!.status).toBe('HTTP/1.1 507 Insufficient Storage');
    }
    expect(seen.size).toBe(6);
  });

  it('rfc6578 3.2 requests without a sync-token element, or with a bad sync-level, are 400', async () => {
    expect((await sync(grace, '<sync-collection xmlns="DAV:"><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>')).status).toBe(400);
    expect((await sync(grace, '<sync-collection xmlns="DAV:"><sync-token/><sync-level>2</sync-level><prop><getetag/></prop></sync-collection>')).status).toBe(400);
  });
});
