import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davx5, evolution, ios, thunderbird, vdirsyncer } from './client-bodies.js';
import { CARD, CardDavFixture, CS, DAV, multistatus, type Device } from './helpers.js';

/**
 * WebDAV, discovery and access control over HTTP (RFC 4918, 6764, 3744, 5397, 7617), driven with
 * the request bodies of real clients against the dev tenant's sample organisation.
 */
describe('CardDAV: discovery, PROPFIND, GET and access (RFC 4918, 6764, 3744)', () => {
  let f: CardDavFixture;
  let marcus: Device;
  let grace: Device;

  beforeAll(async () => {
    f = await CardDavFixture.start();
    marcus = f.device('marcus.lee@contoso.example');
    grace = f.device('grace.kim@contoso.example');
  });
  afterAll(() => f.stop());

  const propfind = (path: string, body: string, depth: string, device: Device = marcus, headers: Record<string, string> = {}) => f.request('PROPFIND', path, { device, body, depth, headers });
  const cardPath = (d: Device, upn: string) => `${d.book}${f.user(upn)}.vcf`;

  it('rfc6764 5 /.well-known/carddav redirects every method, PROPFIND included, without asking for credentials', async () => {
    for (const method of ['PROPFIND', 'GET', 'OPTIONS', 'REPORT', 'HEAD']) {
      const res = await f.request(method, '/.well-known/carddav', method === 'PROPFIND' ? { body: thunderbird.wellKnown, depth: '0' } : {});
      expect(res.status, method).toBe(301);
      expect(res.headers.get('location')).toBe('/dav/');
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('rfc4918 10.1 OPTIONS answers DAV: 1, 3, addressbook without credentials', async () => {
    const res = await f.request('OPTIONS', marcus.principalPath);
    expect(res.status).toBe(200);
    expect(res.headers.get('dav')).toBe('1, 3, addressbook');
    expect(res.headers.get('allow')).toBe('OPTIONS, PROPFIND, GET, HEAD, REPORT');
  });

  it('rfc7617 no credentials, wrong ones or a revoked device get 401 with a Basic challenge; rate-limited 429', async () => {
    const none = await f.request('PROPFIND', '/dav/', { body: thunderbird.wellKnown, depth: '0' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="Switchboard", charset="UTF-8"');
    expect(await none.text()).toContain('<d:error');
    expect((await f.request('PROPFIND', '/dav/', { device: { ...marcus, password: 'wrong' }, depth: '0' })).status).toBe(401);

    const doomed = f.device('marcus.lee@contoso.example');
    expect((await propfind('/dav/', thunderbird.wellKnown, '0', doomed)).status).toBe(207);
    f.auth.revoke(doomed.username);
    expect((await propfind('/dav/', thunderbird.wellKnown, '0', doomed)).status).toBe(401);

    const limited = f.device('marcus.lee@contoso.example');
    f.auth.rateLimited.add(limited.username);
    const res = await propfind('/dav/', thunderbird.wellKnown, '0', limited);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
  });

  it('Thunderbird discovery: well-known → current-user-principal → home set → the one book, status lines literally "HTTP/1.1 200 OK"', async () => {
    const root = await multistatus(await propfind('/dav/', thunderbird.wellKnown, '0', marcus, { 'user-agent': thunderbird.userAgent }));
    expect(root.responses[0]!.ok.get(DAV('current-user-principal'))!.children[0]!.text).toBe(marcus.principalPath);
    const principal = await multistatus(await propfind(marcus.principalPath, thunderbird.homeSet, '0'));
    expect(principal.responses[0]!.ok.get(CARD('addressbook-home-set'))!.children[0]!.text).toBe(marcus.home);

    const res = await propfind(marcus.home, thunderbird.books, '1');
    const text = await res.clone().text();
    const home = await multistatus(res);
    const books = home.responses.filter((r) => r.ok.get(DAV('resourcetype'))?.children.some((c) => c.local === 'addressbook'));
    expect(books.map((b) => b.href)).toEqual([marcus.book]);
    // Thunderbird takes the first <status> of each response and compares the literal string.
    const bookXml = text.slice(text.indexOf(`<d:href>${marcus.book}</d:href>`));
    expect(/<d:status>([^<]*)<\/d:status>/.exec(bookXml)![1]).toBe('HTTP/1.1 200 OK');
    const privileges = books[0]!.ok.get(DAV('current-user-privilege-set'))!.children.map((p) => p.children[0]!.local);
    expect(privileges).toEqual(['read', 'read-current-user-privilege-set']);
    expect(books[0]!.ok.get(DAV('displayname'))!.text).toBe('Contoso directory');
    expect(f.auth.touched.some((t) => t.deviceId === marcus.username && t.userAgent === thunderbird.userAgent)).toBe(true);
  });

  it('Thunderbird probe of the book URL itself, and its listing: cards with ETags, the book with its getctag', async () => {
    const probe = await multistatus(await propfind(marcus.book, thunderbird.probe, '0'));
    expect(probe.responses[0]!.ok.get(DAV('resourcetype'))!.children.map((c) => c.local)).toEqual(['collection', 'addressbook']);
    const listing = await multistatus(await propfind(marcus.book, thunderbird.listing, '1'));
    const [book, ...cards] = listing.responses;
    expect(book!.href).toBe(marcus.book);
    expect(book!.ok.get(CS('getctag'))!.text).toMatch(/^https:\/\/switchboard\.test\/dav\/sync\/\d+-\d+$/);
    expect(book!.missing).toEqual([DAV('getetag')]);
    const expected = ['marcus.lee', 'hannah.obrien', 'diego.fernandez'].map((u) => cardPath(marcus, `${u}@contoso.example`)).sort();
    expect(cards.map((c) => c.href).sort()).toEqual(expected);
    for (const c of cards) {
      expect(c.ok.get(DAV('getetag'))!.text).toMatch(/^"\d+"$/);
      expect(c.ok.get(DAV('resourcetype'))!.children).toEqual([]);
      expect(c.missing).toEqual([CS('getctag')]);
    }
  });

  it('rfc4918 9.1 unknown properties get a 404 propstat after the 200 one, never a 500 (DAVx5 home listing)', async () => {
    const res = await propfind(marcus.home, davx5.homeListing, '1', marcus, { 'user-agent': davx5.userAgent });
    const ms = await multistatus(res);
    const book = ms.byHref.get(marcus.book)!;
    expect(book.propstats.map((p) => p.status)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
    expect([...book.ok.keys()].sort()).toEqual(
      [DAV('resourcetype'), DAV('current-user-privilege-set'), DAV('displayname'), DAV('owner'), CARD('addressbook-description'), CARD('supported-address-data')].sort(),
    );
    expect(book.missing.sort()).toEqual(
      ['{urn:ietf:params:xml:ns:caldav}calendar-description', '{http://apple.com/ns/ical/}calendar-color', '{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set', CS('source'), '{https://bitfire.at/webdav-push}push-transports', '{https://bitfire.at/webdav-push}topic'].sort(),
    );
    expect(book.ok.get(DAV('owner'))!.children[0]!.text).toBe(marcus.principalPath);
  });

  it('DAVx5 base URL check and capabilities: supported-report-set as supported-report/report/*, vCard 3.0 only, a URI sync-token', async () => {
    const base = await multistatus(await propfind('/dav/', davx5.baseUrl, '0'));
    expect(base.responses[0]!.ok.get(DAV('current-user-principal'))!.children[0]!.text).toBe(marcus.principalPath);
    expect(base.responses[0]!.ok.get(CARD('addressbook-home-set'))!.children[0]!.text).toBe(marcus.home);

    const caps = (await multistatus(await propfind(marcus.book, davx5.capabilities, '0'))).responses[0]!;
    const reports = caps.ok.get(DAV('supported-report-set'))!.children.map((sr) => {
      expect(sr.local).toBe('supported-report');
      const report = sr.children[0]!;
      expect(report.local).toBe('report');
      return `{${report.children[0]!.ns}}${report.children[0]!.local}`;
    });
    expect(reports.sort()).toEqual([CARD('addressbook-multiget'), CARD('addressbook-query'), DAV('sync-collection')].sort());
    const types = caps.ok.get(CARD('supported-address-data'))!.children;
    expect(types.map((t) => [t.local, t.attrs['content-type'], t.attrs.version])).toEqual([['address-data-type', 'text/vcard', '3.0']]);
    expect(caps.ok.get(DAV('sync-token'))!.text).toMatch(/^https:\/\/switchboard\.test\/dav\/sync\/\d+-\d+$/);
    expect(caps.ok.get(CS('getctag'))!.text).toBe(caps.ok.get(DAV('sync-token'))!.text);
    expect(caps.missing).toEqual([CARD('max-resource-size')]);
  });

  it('iOS discovery: principal, principal properties and the home at Depth 1 with Apple-only properties as 404', async () => {
    const root = (await multistatus(await propfind('/dav/', ios.principal, '0', marcus, { 'user-agent': ios.userAgent }))).responses[0]!;
    expect(root.ok.get(DAV('current-user-principal'))!.children[0]!.text).toBe(marcus.principalPath);
    expect(root.missing).toEqual([DAV('principal-URL')]);

    const principal = (await multistatus(await propfind(marcus.principalPath, ios.principalProps, '0'))).responses[0]!;
    expect(principal.ok.get(DAV('principal-URL'))!.children[0]!.text).toBe(marcus.principalPath);
    expect(principal.ok.get(CARD('addressbook-home-set'))!.children[0]!.text).toBe(marcus.home);
    expect(principal.missing).toContain(DAV('resource-id'));

    const home = await multistatus(await propfind(marcus.home, ios.home, '1'));
    expect(home.responses.map((r) => r.href)).toEqual([marcus.home, marcus.book]);
    const book = home.byHref.get(marcus.book)!;
    expect(book.propstats[0]!.status).toBe('HTTP/1.1 200 OK');
    expect(book.ok.has(DAV('sync-token'))).toBe(true);
    expect(book.missing).toEqual(expect.arrayContaining([CS('me-card'), '{http://me.com/_namespace/}bulk-requests', DAV('add-member'), DAV('quota-used-bytes')]));
  });

  it('vdirsyncer discovery and listing: home set, collections, cards as text/vcard with ETags, an ns0: displayname', async () => {
    const principal = (await multistatus(await propfind('/dav/', vdirsyncer.principal, '0'))).responses[0]!;
    expect(principal.ok.get(DAV('current-user-principal'))!.children[0]!.text).toBe(marcus.principalPath);
    const homeSet = (await multistatus(await propfind(marcus.principalPath, vdirsyncer.homeSet, '0'))).responses[0]!;
    expect(homeSet.ok.get(CARD('addressbook-home-set'))!.children[0]!.text).toBe(marcus.home);
    const collections = await multistatus(await propfind(marcus.home, vdirsyncer.collections, '1'));
    expect(collections.responses.filter((r) => r.ok.get(DAV('resourcetype'))!.children.some((c) => c.local === 'addressbook')).map((r) => r.href)).toEqual([marcus.book]);
    const list = await multistatus(await propfind(marcus.book, vdirsyncer.list, '1'));
    expect(list.responses).toHaveLength(4);
    for (const card of list.responses.slice(1)) expect(card.ok.get(DAV('getcontenttype'))!.text).toBe('text/vcard; charset=utf-8');
    const name = (await multistatus(await propfind(marcus.book, vdirsyncer.displayname, '0'))).responses[0]!;
    expect(name.ok.get(DAV('displayname'))!.text).toBe('Contoso directory');
  });

  it('Evolution: getctag on the book, then the ETags at Depth 1', async () => {
    const ctag = (await multistatus(await propfind(marcus.book, evolution.ctag, '0', marcus, { 'user-agent': evolution.userAgent }))).responses[0]!;
    expect(ctag.ok.get(CS('getctag'))!.text).toMatch(/\/dav\/sync\/\d+-\d+$/);
    const etags = await multistatus(await propfind(marcus.book, evolution.etags, '1'));
    expect(etags.responses.slice(1).every((r) => /^"\d+"$/.test(r.ok.get(DAV('getetag'))!.text))).toBe(true);
  });

  it('rfc9110 8.4 a multistatus is gzip-compressed for clients that accept it, and streamed', async () => {
    const res = await propfind(marcus.book, thunderbird.listing, '1', marcus, { 'accept-encoding': 'gzip' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect((await multistatus(res)).responses).toHaveLength(4);
    const plain = await propfind(marcus.book, thunderbird.listing, '1', marcus, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect((await multistatus(plain)).responses).toHaveLength(4);
  });

  it('rfc4918 9.1 PROPFIND with Depth: infinity, or no Depth at all, is refused with 403 propfind-finite-depth', async () => {
    for (const depth of ['infinity', undefined]) {
      const res = await f.request('PROPFIND', marcus.book, { device: marcus, body: vdirsyncer.list, ...(depth ? { depth } : {}) });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('<d:propfind-finite-depth/>');
    }
    expect((await propfind(marcus.book, vdirsyncer.list, '2')).status).toBe(400);
  });

  it('rfc4918 9.1 an empty body means allprop; propname lists names without values', async () => {
    const all = (await multistatus(await f.request('PROPFIND', cardPath(marcus, 'hannah.obrien@contoso.example'), { device: marcus, depth: '0' }))).responses[0]!;
    expect([...all.ok.keys()].sort()).toEqual([DAV('getcontenttype'), DAV('getetag'), DAV('resourcetype')]);
    const names = (await multistatus(await propfind(marcus.book, '<propfind xmlns="DAV:"><propname/></propfind>', '0'))).responses[0]!;
    expect([...names.ok.keys()]).toEqual(expect.arrayContaining([DAV('sync-token'), CS('getctag'), CARD('supported-address-data'), DAV('current-user-privilege-set')]));
    expect([...names.ok.values()].every((v) => v.children.length === 0 && v.text === '')).toBe(true);
  });

  it('rfc4918 9.4 GET serves the card with a strong ETag identical to getetag; HEAD and If-None-Match agree', async () => {
    const path = cardPath(marcus, 'hannah.obrien@contoso.example');
    const etag = (await multistatus(await propfind(path, vdirsyncer.list, '0'))).responses[0]!.ok.get(DAV('getetag'))!.text;
    const res = await f.request('GET', path, { device: marcus });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(etag);
    expect(etag.startsWith('W/')).toBe(false);
    expect(res.headers.get('content-type')).toBe('text/vcard; charset=utf-8');
    const body = await res.text();
    expect(body).toMatch(/^BEGIN:VCARD\r\nVERSION:3\.0\r\n/);
    expect(body).toContain(`UID:${f.user('hannah.obrien@contoso.example')}\r\n`);
    const head = await f.request('HEAD', path, { device: marcus });
    expect([head.status, head.headers.get('etag'), await head.text()]).toEqual([200, etag, '']);
    expect((await f.request('GET', path, { device: marcus, headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await f.request('GET', marcus.book, { device: marcus })).status).toBe(405);
  });

  it('rfc3744 7.1.1 writes (PUT, DELETE, PROPPATCH, MKCOL, MOVE, COPY) are refused with 403 need-privileges', async () => {
    const card = cardPath(marcus, 'hannah.obrien@contoso.example');
    const cases: [string, string, string][] = [
      ['PUT', card, 'write-content'],
      ['PUT', `${marcus.book}new.vcf`, 'write-content'],
      ['DELETE', card, 'unbind'],
      ['PROPPATCH', marcus.book, 'write-properties'],
      ['MKCOL', `${marcus.home}other/`, 'bind'],
      ['MOVE', card, 'unbind'],
      ['COPY', card, 'bind'],
    ];
    for (const [method, path, privilege] of cases) {
      const res = await f.request(method, path, { device: marcus, body: method === 'PUT' ? 'BEGIN:VCARD\r\nEND:VCARD\r\n' : '', headers: { destination: `${marcus.book}x.vcf` } });
      const text = await res.text();
      expect(res.status, method).toBe(403);
      expect(text).toContain('<d:need-privileges>');
      expect(text).toContain(`<d:privilege><d:${privilege}/></d:privilege>`);
    }
    // The card is untouched.
    expect((await f.request('GET', card, { device: marcus })).status).toBe(200);
  });

  it("a device reaches only its own paths: another device's principal, book or cards are 404 and carry no data", async () => {
    const hannah = `${f.user('hannah.obrien@contoso.example')}.vcf`;
    for (const path of [grace.principalPath, grace.home, grace.book, `${grace.book}${hannah}`, `${grace.book}${f.user('grace.kim@contoso.example')}.vcf`]) {
      for (const method of ['PROPFIND', 'GET', 'REPORT']) {
        const res = await f.request(method, path, { device: marcus, depth: '1', body: method === 'GET' ? undefined : thunderbird.listing });
        const text = await res.text();
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(text).not.toContain('BEGIN:VCARD');
        expect(text).not.toContain('Grace');
      }
    }
    // A contact outside the owner's audience is not in the book either.
    expect((await f.request('GET', `${marcus.book}${f.user('grace.kim@contoso.example')}.vcf`, { device: marcus })).status).toBe(404);
  });

  it('XML attack bodies are refused with 4xx and the server still answers the next good request', async () => {
    const attacks: [string, string | Buffer, number][] = [
      ['XXE', '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><propfind xmlns="DAV:"><prop><displayname>&x;</displayname></prop></propfind>', 400],
      ['billion laughs', `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]><propfind xmlns="DAV:">&bbbbbbbbb;</propfind>`, 400],
      ['deep nesting', `${'<prop xmlns="DAV:">'.repeat(5_000)}${'</prop>'.repeat(5_000)}`, 400],
      ['invalid UTF-8', Buffer.concat([Buffer.from('<propfind xmlns="DAV:"><prop><displayname>'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</displayname></prop></propfind>')]), 400],
      ['malformed', '<propfind xmlns="DAV:"><prop><getetag></prop>', 400],
      ['unbound prefix', '<D:propfind><D:prop/></D:propfind>', 400],
      ['wrong root', '<multistatus xmlns="DAV:"/>', 400],
      ['20 MB body', Buffer.alloc(20 * 1024 * 1024, 0x20), 413],
    ];
    for (const [name, body, status] of attacks) {
      const res = await f.request('PROPFIND', marcus.book, { device: marcus, depth: '0', body });
      const text = await res.text();
      expect(res.status, name).toBe(status);
      expect(text, name).toContain('<s:message>');
      expect(text).not.toContain('root:');
      const good = await propfind(marcus.book, thunderbird.syncToken, '0');
      expect(good.status, `after ${name}`).toBe(207);
    }
    const hugeReport = await f.request('REPORT', marcus.book, { device: marcus, body: Buffer.alloc(33 * 1024 * 1024, 0x20) });
    expect(hugeReport.status).toBe(413);
    expect((await propfind(marcus.book, thunderbird.syncToken, '0')).status).toBe(207);
  });
});
