import { describe, expect, it } from 'vitest';
import { DavError } from '../../src/carddav/dav-error.js';
import { escapeXml, escapeXmlAttribute, parseXml } from '../../src/carddav/xml.js';

const parse = (s: string | Buffer) => parseXml(typeof s === 'string' ? Buffer.from(s) : s);
const refused = (s: string | Buffer): DavError => {
  try {
    parse(s);
  } catch (err) {
    expect(err).toBeInstanceOf(DavError);
    return err as DavError;
  }
  throw new Error('accepted');
};

describe('XML request bodies', () => {
  it('xml-names 6 namespaces resolve whatever the prefix: D:, d:, A:, default, redeclared inside', () => {
    const bodies = [
      '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
      '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
      '<A:propfind xmlns:A="DAV:"><A:prop><A:getetag/></A:prop></A:propfind>',
      '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
      '<x:propfind xmlns:x="DAV:"><prop xmlns="DAV:"><getetag/></prop></x:propfind>',
    ];
    for (const b of bodies) {
      const root = parse(b);
      expect([root.ns, root.local]).toEqual(['DAV:', 'propfind']);
      expect([root.children[0]!.ns, root.children[0]!.local, root.children[0]!.children[0]!.local]).toEqual(['DAV:', 'prop', 'getetag']);
    }
    // Same prefix, different namespace: not DAV:getetag.
    expect(parse('<D:prop xmlns:D="DAV:"><D:getetag xmlns:D="urn:other"/></D:prop>').children[0]!.ns).toBe('urn:other');
  });

  it('refuses DOCTYPE and ENTITY declarations before parsing (XXE, billion laughs)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><propfind xmlns="DAV:"><prop>&xxe;</prop></propfind>';
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><lolz>&lol9;</lolz>`;
    expect(refused(xxe)).toMatchObject({ status: 400, message: expect.stringContaining('DOCTYPE') });
    expect(refused(laughs).status).toBe(400);
    expect(refused('<a><!ENTITY x "y"></a>').status).toBe(400);
    // An entity that was never declared is an error, not an empty string.
    expect(refused('<a xmlns="DAV:">&undefined;</a>').status).toBe(400);
  });

  it('bounds nesting depth and element count', () => {
    expect(refused(`${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`).message).toMatch(/deeper/);
    expect(refused(`<a>${'<b/>'.repeat(300_001)}</a>`).message).toMatch(/more than 300000/);
  });

  it('refuses invalid UTF-8 and malformed XML with a clear 400', () => {
    expect(refused(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e])).message).toMatch(/UTF-8/);
    expect(refused('<propfind xmlns="DAV:"><prop></propfind>').message).toMatch(/Malformed XML/);
    expect(refused('<D:propfind><D:prop/></D:propfind>').message).toMatch(/Malformed XML/);
    expect(refused('not xml at all').status).toBe(400);
  });
});

describe('XML we write', () => {
  const tricky = 'Ann "Nan" O\'Brien & <Co> \r\nline\u0001 end';

  it('xml 2.4 character data escapes &, < and > and keeps quotes; attribute values escape quotes too', () => {
    expect(escapeXml('"1742"')).toBe('"1742"');
    expect(escapeXml('a & b <c>')).toBe('a &amp; b &lt;c&gt;');
    expect(escapeXmlAttribute('say "hi" & go')).toBe('say &quot;hi&quot; &amp; go');
  });

  it('xml 2.11 CR survives as a character reference; characters XML cannot carry are dropped; both parse back', () => {
    const root = parse(`<a xmlns="urn:x" title="${escapeXmlAttribute(tricky)}">${escapeXml(tricky)}</a>`);
    const expected = tricky.replace('\u0001', '');
    expect(root.text).toBe(expected);
    // XML 1.0 §3.3.3: a literal LF in an attribute value becomes a space; the CR, written as a reference, stays.
    expect(root.attrs.title).toBe(expected.replace('\n', ' '));
  });
});
