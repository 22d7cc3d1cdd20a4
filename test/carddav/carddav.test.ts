import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davx5, evolution, ios, thunderbird, vdirsyncer } from './client-bodies.js';
import { CARD, CardDavFixture, checkVCardLines, DAV, multistatus, vobjectParse, type Device } from './helpers.js';

/**
 * CardDAV reports and address data (RFC 6352) against the dev tenant's sample organisation, with
 * the multiget and query bodies of Thunderbird, DAVx5, iOS, vdirsyncer and Evolution. Every card
 * served is parsed by Python's vobject.
 */
describe('CardDAV: addressbook-multiget, addressbook-query, address-data (RFC 6352)', () => {
  let f: CardDavFixture;
  let marcus: Device;
  let grace: Device;
  let jonas: Device;

  beforeAll(async () => {
    f = await CardDavFixture.start();
    marcus = f.device('marcus.lee@contoso.example');
    grace = f.device('grace.kim@contoso.example');
    jonas = f.device('jonas.becker@contoso.example');
  });
  afterAll(() => f.stop());

  const report = (d: Device, body: string, depth?: string, headers: Record<string, string> = {}) => f.request('REPORT', d.book, { device: d, body, ...(depth ? { depth } : {}), headers });
  const cardHref = (d: Device, upn: string) => `${d.book}${f.user(upn)}.vcf`;
  async function listing(d: Device): Promise<string[]> {
    const ms = await multistatus(await f.request('PROPFIND', d.book, { device: d, depth: '1', body: vdirsyncer.list }));
    return ms.responses.slice(1).map((r) => r.href);
  }
  const cardsOf = (ms: Awaited<ReturnType<typeof multistatus>>) => ms.responses.filter((r) => r.ok.has(CARD('address-data'))).map((r) => r.ok.get(CARD('address-data'))!.text);

  it('rfc6352 8.7 addressbook-multiget (Thunderbird, Depth 1): every card with its ETag, each parsing in vobject', async () => {
    const hrefs = await listing(marcus);
    const ms = await multistatus(await report(marcus, thunderbird.multiget(hrefs), '1', { 'user-agent': thunderbird.userAgent }));
    expect(ms.responses.map((r) => r.href)).toEqual(hrefs);
    const cards = cardsOf(ms);
    expect(cards).toHaveLength(3);
    cards.forEach(checkVCardLines);
    const parsed = vobjectParse(cards);
    expect(parsed.map((p) => p.FN[0]).sort()).toEqual(['Diego Fernández', "Hannah O'Brien", 'Marcus Lee']);
    for (const r of ms.responses) {
      const get = await f.request('GET', r.href, { device: marcus });
      expect(get.headers.get('etag')).toBe(r.ok.get(DAV('getetag'))!.text);
      expect(await get.text()).toBe(r.ok.get(CARD('address-data'))!.text);
    }
  });

  it('cards carry what the policy shows: names, UID = Entra id, ORG, TITLE, work phone, email, office, photo; never the hidden mobile phone', async () => {
    const ms = await multistatus(await report(marcus, vdirsyncer.multiget([cardHref(marcus, 'hannah.obrien@contoso.example')])));
    const text = cardsOf(ms)[0]!;
    const [card] = vobjectParse([text]);
    expect(card).toMatchObject({
      FN: ["Hannah O'Brien"],
      N: [{ family: "O'Brien", given: 'Hannah' }],
      UID: [f.user('hannah.obrien@contoso.example')],
      ORG: [['Contoso', 'Sales']],
      TITLE: ['Account Executive'],
      EMAIL: ['hannah.obrien@contoso.example'],
      TEL: ['+1 425 555 0111'],
      ADR: [{ street: 'Redmond 18/1102', city: 'Redmond', country: expect.any(String) }],
    });
    expect(card!.PHOTO![0]).toBeGreaterThan(100); // Hannah has a portrait in the sample organisation
    expect(text).not.toContain('555 0191'); // her mobile phone: hidden by the policy
    expect(text).not.toContain('CELL');
  });

  it('rfc6352 8.7 multiget from DAVx5 (batches of 10, Depth 0), iOS, vdirsyncer (no Depth) and Evolution gives the same answer', async () => {
    const hrefs = await listing(grace);
    const answers = await Promise.all([
      report(grace, davx5.multiget(hrefs), '0', { 'user-agent': davx5.userAgent }),
      report(grace, ios.multiget(hrefs), undefined, { 'user-agent': ios.userAgent }),
      report(grace, vdirsyncer.multiget(hrefs)),
      report(grace, evolution.multiget(hrefs), undefined, { 'user-agent': evolution.userAgent }),
    ]);
    const parsed = await Promise.all(answers.map(multistatus));
    for (const ms of parsed) {
      expect(ms.responses.map((r) => r.href)).toEqual(hrefs);
      expect(cardsOf(ms)).toEqual(cardsOf(parsed[0]!));
    }
    expect(parsed[0]!.responses[0]!.ok.get(DAV('getcontenttype'))!.text).toBe('text/vcard; charset=utf-8');
    expect(vobjectParse(cardsOf(parsed[0]!))).toHaveLength(6);
  });

  it('rfc6352 8.7 hrefs that are not cards of this book (unknown, another book, another device, malformed) get a 404 each', async () => {
    const foreign = [
      `${marcus.book}${randomUUID()}.vcf`,
      cardHref(grace, 'grace.kim@contoso.example'),
      `${marcus.book}${f.user('grace.kim@contoso.example')}.vcf`,
      `${marcus.book}not-a-card`,
      '/etc/passwd',
      'https://evil.example/%zz',
    ];
    const mine = cardHref(marcus, 'marcus.lee@contoso.example');
    const ms = await multistatus(await report(marcus, thunderbird.multiget([mine, ...foreign, mine]), '1'));
    expect(ms.responses).toHaveLength(foreign.length + 1);
    expect(ms.responses[0]!.ok.has(CARD('address-data'))).toBe(true);
    for (const r of ms.responses.slice(1)) {
      expect(r.status).toBe('HTTP/1.1 404 Not Found');
      expect(r.propstats).toEqual([]);
    }
    expect(JSON.stringify(ms)).not.toContain('Grace');
  });

  it('rfc6352 8.7 a whole-book multiget of 10,000 hrefs (about 1 MB of body, as Thunderbird and vdirsyncer send) is answered in one stream', async () => {
    const real = await listing(marcus);
    const hrefs = [...real, ...Array.from({ length: 10_000 - real.length }, () => `${marcus.book}${randomUUID()}.vcf`)];
    const body = thunderbird.multiget(hrefs);
    expect(Buffer.byteLength(body)).toBeGreaterThan(800_000);
    const started = Date.now();
    const ms = await multistatus(await report(marcus, body, '1'));
    expect(ms.responses).toHaveLength(10_000);
    expect(cardsOf(ms)).toHaveLength(real.length);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('rfc6352 8.6 addressbook-query: text-match on FN, N, EMAIL and TEL with collations and match types', async () => {
    const query = (filter: string, props = '<d:getetag/>') =>
      `<C:addressbook-query xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><d:prop>${props}</d:prop><C:filter${filter}</C:filter></C:addressbook-query>`;
    const uids = async (d: Device, filter: string) => {
      const ms = await multistatus(await report(d, query(filter, '<d:getetag/><C:address-data><C:prop name="UID"/></C:address-data>'), '1'));
      return ms.responses.map((r) => /UID:(.*)\r\n/.exec(r.ok.get(CARD('address-data'))!.text)![1]).sort();
    };
    const id = (upn: string) => f.user(upn);
    expect(await uids(grace, '><C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap" match-type="contains">yuki</C:text-match></C:prop-filter>')).toEqual([id('yuki.tanaka@contoso.example')]);
    expect(await uids(grace, '><C:prop-filter name="N"><C:text-match match-type="starts-with">novak;</C:text-match></C:prop-filter>')).toEqual([id('liam.novak@contoso.example')]);
    // i;unicode-casemap compares decomposed forms (RFC 5051), so "chloe" finds "Chloé"; i;octet does not.
    expect(await uids(jonas, '><C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap">chloe</C:text-match></C:prop-filter>')).toEqual([id('chloe.durand@contoso.example')]);
    expect(await uids(jonas, '><C:prop-filter name="FN"><C:text-match collation="i;octet">chloe</C:text-match></C:prop-filter>')).toEqual([]);
    expect(await uids(jonas, '><C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap">CHLOÉ</C:text-match></C:prop-filter>')).toEqual([id('chloe.durand@contoso.example')]);
    expect(await uids(grace, '><C:prop-filter name="EMAIL"><C:text-match match-type="equals" collation="i;ascii-casemap">Fatima.Zahra@contoso.example</C:text-match></C:prop-filter>')).toEqual([id('fatima.zahra@contoso.example')]);
    expect(await uids(grace, '><C:prop-filter name="TEL"><C:text-match match-type="ends-with">0122</C:text-match></C:prop-filter>')).toEqual([id('yuki.tanaka@contoso.example')]);
    expect(await uids(grace, ' test="allof"><C:prop-filter name="FN"><C:text-match>a</C:text-match></C:prop-filter><C:prop-filter name="TEL"><C:text-match>+49</C:text-match></C:prop-filter>')).toEqual(
      [id('fatima.zahra@contoso.example'), id('noah.schmidt@contoso.example')].sort(),
    );
    expect(await uids(grace, '><C:prop-filter name="TEL"><C:text-match negate-condition="yes">+1</C:text-match></C:prop-filter>')).toHaveLength(3);
    expect(await uids(grace, '><C:prop-filter name="NICKNAME"><C:is-not-defined/></C:prop-filter>')).toHaveLength(6);
    // The hidden mobile phone cannot be searched for either.
    expect(await uids(grace, '><C:prop-filter name="TEL"><C:text-match>0180</C:text-match></C:prop-filter>')).toEqual([]);
  });

  it('rfc6352 8.6 DAVx5 query with an empty filter, and Evolution without one at Depth 0 with partial address data, list every card', async () => {
    const all = await multistatus(await report(grace, davx5.query, '1'));
    expect(all.responses.map((r) => r.href).sort()).toEqual((await listing(grace)).sort());
    const evo = await multistatus(await report(grace, evolution.listExisting, '0'));
    expect(evo.responses).toHaveLength(6);
    for (const r of evo.responses) expect(r.ok.get(CARD('address-data'))!.text).toMatch(/^BEGIN:VCARD\r\nVERSION:3\.0\r\nUID:[0-9a-f-]+\r\nEND:VCARD\r\n$/);
  });

  it('rfc6352 8.6.1 a query limit truncates the answer with a 507 for the book', async () => {
    const body = `<C:addressbook-query xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><C:filter/><C:limit><C:nresults>2</C:nresults></C:limit></C:addressbook-query>`;
    const ms = await multistatus(await report(grace, body, '1'));
    expect(ms.responses).toHaveLength(3);
    expect(ms.responses[2]).toMatchObject({ href: grace.book, status: 'HTTP/1.1 507 Insufficient Storage' });
  });

  it('rfc6352 preconditions: address data other than vCard 3.0, unknown collations and param-filter are refused with 403', async () => {
    const v4 = await report(marcus, `<C:addressbook-multiget xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><d:prop><C:address-data content-type="text/vcard" version="4.0"/></d:prop><d:href>${cardHref(marcus, 'marcus.lee@contoso.example')}</d:href></C:addressbook-multiget>`);
    expect(v4.status).toBe(403);
    expect(await v4.text()).toContain('supported-address-data');
    const collation = await report(grace, `<C:addressbook-query xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><C:filter><C:prop-filter name="FN"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:filter></C:addressbook-query>`);
    expect(collation.status).toBe(403);
    expect(await collation.text()).toContain('supported-collation');
    const param = await report(grace, `<C:addressbook-query xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><C:filter><C:prop-filter name="TEL"><C:param-filter name="TYPE"/></C:prop-filter></C:filter></C:addressbook-query>`);
    expect(param.status).toBe(403);
    expect(await param.text()).toContain('supported-filter');
    const unknown = await report(grace, '<x:frobnicate xmlns:x="urn:example"/>');
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toContain('<d:supported-report/>');
  });

  it('rfc6352 10.4 address-data is a REPORT property: in a PROPFIND it is reported 404', async () => {
    const ms = await multistatus(await f.request('PROPFIND', cardHref(marcus, 'marcus.lee@contoso.example'), { device: marcus, depth: '0', body: '<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><prop><getetag/><C:address-data/></prop></propfind>' }));
    expect(ms.responses[0]!.missing).toEqual([CARD('address-data')]);
  });

  it('every card of every audience parses in vobject', async () => {
    const cards: string[] = [];
    for (const d of [marcus, grace, jonas]) cards.push(...cardsOf(await multistatus(await report(d, thunderbird.multiget(await listing(d)), '1'))));
    expect(cards.length).toBe(3 + 6 + 4);
    cards.forEach(checkVCardLines);
    const parsed = vobjectParse(cards);
    expect(new Set(parsed.map((p) => p.UID[0])).size).toBe(cards.length);
  });
});
