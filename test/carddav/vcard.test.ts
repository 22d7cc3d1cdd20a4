import { describe, expect, it } from 'vitest';
import { projectContact, type Contact } from '../../src/core/policy/contact-fields.js';
import { contactCard, fold, MAX_INLINE_PHOTO_BYTES, serializeVCard } from '../../src/carddav/vcard.js';
import { avatarPng } from '../../src/dev-tenant/avatar.js';
import { checkVCardLines, vobjectParse } from './helpers.js';

const base: Contact = {
  id: '1c0a4d00-0000-4000-8000-000000000001',
  displayName: 'Amelia Hart',
  givenName: 'Amelia',
  surname: 'Hart',
  mail: 'amelia.hart@contoso.example',
  userPrincipalName: 'amelia.hart@contoso.example',
  jobTitle: 'Chief Executive Officer',
  department: 'Executive',
  officeLocation: 'Redmond 18/2101',
  companyName: 'Contoso',
  businessPhones: ['+1 425 555 0100'],
  mobilePhone: '+1 425 555 0199',
  city: 'Redmond',
  country: 'United States',
};

const card = (c: Partial<Contact>, photo?: { contentType: string; bytes: Buffer }) => serializeVCard(contactCard({ contact: { ...base, ...c }, revision: Date.UTC(2026, 10, 23, 6, 19, 49), photo }));

describe('vCard 3.0 writer', () => {
  it('rfc2426 3.1 a card has VERSION 3.0, FN, N, UID (the Entra object id), REV and PRODID, and parses in vobject', () => {
    const text = card({});
    expect(text.startsWith('BEGIN:VCARD\r\nVERSION:3.0\r\n')).toBe(true);
    expect(text).toContain('REV:2026-11-23T06:19:49Z\r\n');
    const [parsed] = vobjectParse([text]);
    expect(parsed!.FN).toEqual(['Amelia Hart']);
    expect(parsed!.N).toEqual([{ family: 'Hart', given: 'Amelia' }]);
    expect(parsed!.UID).toEqual([base.id]);
    expect(parsed!.ORG).toEqual([['Contoso', 'Executive']]);
    expect(parsed!.TITLE).toEqual(['Chief Executive Officer']);
    expect(parsed!.EMAIL).toEqual(['amelia.hart@contoso.example']);
    expect(parsed!.TEL).toEqual(['+1 425 555 0100', '+1 425 555 0199']);
    expect(parsed!.ADR).toEqual([{ street: 'Redmond 18/2101', city: 'Redmond', country: 'United States' }]);
    expect(text).toContain('TEL;TYPE=WORK,VOICE:+1 425 555 0100\r\n');
    expect(text).toContain('TEL;TYPE=CELL,VOICE:+1 425 555 0199\r\n');
    expect(text).toContain('EMAIL;TYPE=INTERNET,WORK:amelia.hart@contoso.example\r\n');
    expect(text).toContain('PRODID:-//Switchboard//Company directory//EN\r\n');
  });

  it('rfc2426 4 text values escape backslash, comma, semicolon and newline', () => {
    const text = card({ jobTitle: 'VP, Sales; EMEA\\Nordics\nline two', companyName: 'Contoso; Ltd', department: 'R&D, Labs' });
    expect(text).toContain('TITLE:VP\\, Sales\\; EMEA\\\\Nordics\\nline two\r\n');
    expect(text).toContain('ORG:Contoso\\; Ltd;R&D\\, Labs\r\n');
    const [parsed] = vobjectParse([text]);
    expect(parsed!.TITLE).toEqual(['VP, Sales; EMEA\\Nordics\nline two']);
    expect(parsed!.ORG).toEqual([['Contoso; Ltd', 'R&D, Labs']]);
  });

  it('rfc6350 3.2 lines fold at 75 octets without splitting a UTF-8 sequence', () => {
    for (const s of ['a'.repeat(200), 'é'.repeat(200), '€'.repeat(200), '😀'.repeat(200), `x${'😀'.repeat(100)}`, `xx${'€'.repeat(100)}`]) {
      const folded = fold(`TITLE:${s}`);
      const lines = folded.slice(0, -2).split('\r\n');
      for (const [i, line] of lines.entries()) {
        expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
        if (i > 0) expect(line.startsWith(' ')).toBe(true);
        // A cut inside a sequence would leave U+FFFD after decoding the line on its own.
        expect(Buffer.from(line, 'utf8').toString('utf8')).not.toContain('\uFFFD');
      }
      expect(lines.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(`TITLE:${s}`);
    }
    expect(fold('FN:short')).toBe('FN:short\r\n');
  });

  it('malicious directory strings come out as valid cards: newlines, separators, controls, 10 KB titles, emoji, RTL', () => {
    const evil: Partial<Contact>[] = [
      { displayName: 'Mallory\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Injected', givenName: 'Mal\nlory', surname: 'X;Y,Z' },
      { jobTitle: 'T'.repeat(10_240), department: 'Ü'.repeat(3000) },
      { displayName: '👩‍👩‍👧‍👦 Family 🏳️‍🌈', surname: 'Émoji 😀' },
      { displayName: 'مريم حداد', givenName: 'مريم', surname: 'حداد', jobTitle: '\u202Eevil\u202C \u200Fשלום' },
      { displayName: 'Ctl\u0000\u0001\u0007\u001b[31m\u007F\u0085\u2028\u2029end', jobTitle: 'tab\there' },
      { displayName: 'lone \uD800 surrogate', jobTitle: 'trailing backslash\\' },
      { businessPhones: ['+1 (425) 555-0100;ext=1,2', 'tel\r\n2'], mail: 'a,b;c@example.com' },
    ];
    const texts = evil.map((e) => card(e));
    for (const t of texts) {
      checkVCardLines(t);
      expect(t.match(/^BEGIN:VCARD\r\n/gm)).toHaveLength(1);
      expect(t.match(/^END:VCARD\r\n/gm)).toHaveLength(1);
    }
    const parsed = vobjectParse(texts);
    expect(parsed[0]!.FN).toEqual(['Mallory\nEND:VCARD\nBEGIN:VCARD\nFN:Injected']);
    expect(parsed[0]!.N).toEqual([{ family: 'X;Y,Z', given: 'Mal\nlory' }]);
    expect(parsed[1]!.TITLE).toEqual(['T'.repeat(10_240)]);
    expect(parsed[2]!.FN).toEqual(['👩‍👩‍👧‍👦 Family 🏳️‍🌈']);
    expect(parsed[3]!.N).toEqual([{ family: 'حداد', given: 'مريم' }]);
    expect(parsed[4]!.FN).toEqual(['Ctl[31m\n\n\nend']);
    expect(parsed[4]!.TITLE).toEqual(['tab here']);
    expect(parsed[5]!.FN).toEqual(['lone \uFFFD surrogate']);
    expect(parsed[5]!.TITLE).toEqual(['trailing backslash\\']);
    expect(parsed[6]!.EMAIL).toEqual(['a,b;c@example.com']);
    expect(parsed[6]!.TEL).toEqual(['+1 (425) 555-0100;ext=1,2', 'tel\n2', '+1 425 555 0199']);
  });

  it('rfc2426 3.1.2 N: a room without given name or surname puts its display name in the family slot (Apple shows N)', () => {
    const [parsed] = vobjectParse([card({ displayName: 'Conf Room Rainier', givenName: null, surname: null })]);
    expect(parsed!.N).toEqual([{ family: 'Conf Room Rainier', given: '' }]);
    expect(parsed!.FN).toEqual(['Conf Room Rainier']);
  });

  it('rfc2426 3.1.4 PHOTO is inline base64 up to 20 KB, left out above', () => {
    const png = avatarPng(3);
    const small = card({}, { contentType: 'image/png', bytes: png });
    expect(small).toContain('PHOTO;ENCODING=b;TYPE=PNG:');
    checkVCardLines(small);
    expect(vobjectParse([small])[0]!.PHOTO).toEqual([png.length]);

    const big = contactCard({ contact: base, revision: 0, photo: { contentType: 'image/jpeg', bytes: Buffer.alloc(MAX_INLINE_PHOTO_BYTES + 1) } });
    expect(big.photoOmitted).toBe(true);
    expect(serializeVCard(big)).not.toContain('PHOTO');
  });

  it('fields the policy hides never appear in the card', () => {
    const contact = projectContact({ ...base, id: base.id }, { hiddenFields: ['mobilePhone', 'mail', 'officeLocation', 'city', 'country'] });
    const text = serializeVCard(contactCard({ contact, revision: 0 }));
    expect(text).not.toContain('555 0199');
    expect(text).not.toContain('EMAIL');
    expect(text).not.toContain('ADR');
    expect(text).not.toContain('Redmond');
    expect(vobjectParse([text])[0]!.TEL).toEqual(['+1 425 555 0100']);
  });

  it('rfc6352 10.4.2 partial address data keeps only the named properties (and VERSION)', () => {
    const text = serializeVCard(contactCard({ contact: base, revision: 0 }), new Set(['UID']));
    expect(text).toBe(`BEGIN:VCARD\r\nVERSION:3.0\r\nUID:${base.id}\r\nEND:VCARD\r\n`);
  });
});
