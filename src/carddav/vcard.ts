/**
 * vCard 3.0 writer (https://www.rfc-editor.org/rfc/rfc2426, with the escaping and folding rules of
 * https://www.rfc-editor.org/rfc/rfc6350#section-3.2 and 3.4 as vCard 3.0 uses them).
 *
 * 3.0 and not 4.0 because Apple's clients reject 4.0, and every other client reads 3.0. Directory
 * data is untrusted text: every value is cleaned of characters a content line cannot carry, escaped,
 * and folded at 75 octets without splitting a UTF-8 sequence, so names with newlines, semicolons,
 * emoji or right-to-left text still give a card every parser accepts.
 */
import type { Contact } from '../core/policy/contact-fields.js';

export const VCARD_CONTENT_TYPE = 'text/vcard; charset=utf-8';
export const VCARD_VERSION = '3.0';
export const PRODID = '-//Switchboard//Company directory//EN';

/** Photos above this are left out of the card: phones sync every card, so cards stay small. */
export const MAX_INLINE_PHOTO_BYTES = 20 * 1024;

/** One property: values are plain (unescaped) text; `raw` values (base64, dates) are written as is. */
export interface VCardProperty {
  name: string;
  params: string[];
  /** One value, or the components of a structured value (N, ADR, ORG). */
  values: string[];
  raw?: boolean;
}

export interface VCard {
  properties: VCardProperty[];
  /** Set when the stored photo was too large to inline (resizing is not done here). */
  photoOmitted?: boolean;
}

export interface CardInput {
  contact: Contact;
  /** When the directory copy of this contact was last written (epoch ms): the card's REV. */
  revision: number;
  photo?: { contentType: string; bytes: Buffer } | undefined;
}

const PHOTO_TYPES: Record<string, string> = { 'image/jpeg': 'JPEG', 'image/jpg': 'JPEG', 'image/pjpeg': 'JPEG', 'image/png': 'PNG', 'image/gif': 'GIF' };

/** The card of a contact as a list of properties, in the order phones list them. */
export function contactCard({ contact: c, revision, photo }: CardInput): VCard {
  const props: VCardProperty[] = [];
  const add = (name: string, params: string[], ...values: (string | null)[]) => {
    const cleaned = values.map((v) => clean(v ?? ''));
    if (cleaned.some((v) => v.trim() !== '')) props.push({ name, params, values: cleaned });
  };
  const given = clean(c.givenName ?? '').trim();
  const surname = clean(c.surname ?? '').trim();
  const fn = [clean(c.displayName ?? '').trim(), [given, surname].filter(Boolean).join(' '), c.mail ?? '', c.userPrincipalName ?? '', c.id].find((v) => clean(v).trim() !== '')!;

  props.push({ name: 'PRODID', params: [], values: [PRODID], raw: true });
  add('FN', [], fn);
  // Apple's Contacts shows N, not FN: a room or shared mailbox with no given name or surname would
  // show as "No Name", so its display name goes in the family-name slot.
  if (given || surname) props.push({ name: 'N', params: [], values: [surname, given, '', '', ''] });
  else props.push({ name: 'N', params: [], values: [clean(fn), '', '', '', ''] });
  props.push({ name: 'UID', params: [], values: [clean(c.id)] });
  if (c.companyName || c.department) add('ORG', [], c.companyName, c.department);
  add('TITLE', [], c.jobTitle);
  add('EMAIL', ['TYPE=INTERNET,WORK'], c.mail);
  for (const phone of c.businessPhones) add('TEL', ['TYPE=WORK,VOICE'], phone);
  add('TEL', ['TYPE=CELL,VOICE'], c.mobilePhone);
  // Graph's officeLocation is a free-text office name ("Building 4/301"), not a street; the street
  // slot is the one every client displays (several drop the extended-address slot).
  if (c.officeLocation || c.city || c.country) add('ADR', ['TYPE=WORK'], '', '', c.officeLocation, c.city, '', '', c.country);
  let photoOmitted = false;
  if (photo) {
    const type = PHOTO_TYPES[photo.contentType.split(';')[0]!.trim().toLowerCase()];
    if (type && photo.bytes.length <= MAX_INLINE_PHOTO_BYTES) props.push({ name: 'PHOTO', params: ['ENCODING=b', `TYPE=${type}`], values: [photo.bytes.toString('base64')], raw: true });
    else photoOmitted = true;
  }
  props.push({ name: 'REV', params: [], values: [new Date(revision).toISOString().replace(/\.\d{3}Z$/, 'Z')], raw: true });
  return photoOmitted ? { properties: props, photoOmitted } : { properties: props };
}

/**
 * The card as vCard text: CRLF line ends, folded lines. `only` keeps just the named properties
 * (RFC 6352 §10.4.2 partial address data); VERSION is always written, as a card needs it.
 */
export function serializeVCard(card: VCard, only?: ReadonlySet<string>): string {
  let out = `BEGIN:VCARD\r\nVERSION:${VCARD_VERSION}\r\n`;
  for (const p of card.properties) {
    if (only && !only.has(p.name)) continue;
    const value = p.raw ? p.values.join(';') : p.values.map(escapeText).join(';');
    out += fold(`${p.name}${p.params.map((x) => `;${x}`).join('')}:${value}`);
  }
  return `${out}END:VCARD\r\n`;
}

/**
 * Makes untrusted text safe for a content line: every kind of line break becomes "\n" (escaped on
 * output), tabs become spaces, other control characters and lone surrogates go. Unicode line and
 * paragraph separators count as line breaks because some parsers (Python's str.splitlines) split
 * on them.
 */
export function clean(s: string): string {
  return s
    .replace(/\r\n|[\r\u000B\u000C\u0085\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** RFC 2426 §4 text escaping: backslash, comma, semicolon and newline. */
export function escapeText(s: string): string {
  return s.replace(/[\\,;\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`));
}

/**
 * Folds a content line at 75 octets (RFC 6350 §3.2): continuation lines start with one space, which
 * counts toward their 75. Cuts fall between UTF-8 sequences, never inside one.
 */
export function fold(line: string): string {
  if (line.length <= 25 || Buffer.byteLength(line) <= 75) return `${line}\r\n`;
  const bytes = Buffer.from(line, 'utf8');
  const parts: string[] = [];
  let start = 0;
  let max = 75;
  while (start < bytes.length) {
    let end = Math.min(start + max, bytes.length);
    // A byte 10xxxxxx continues a sequence: back up to the byte that starts it.
    while (end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(bytes.toString('utf8', start, end));
    start = end;
    max = 74;
  }
  return `${parts.join('\r\n ')}\r\n`;
}
