/**
 * Safe XML for DAV request bodies (https://www.w3.org/TR/xml/, https://www.w3.org/TR/xml-names/).
 *
 * Request bodies come from the Internet, so parsing is bounded before it starts: DOCTYPE and ENTITY
 * declarations are refused by a scan of the text (no entity can then be defined, so neither billion
 * laughs nor external entities are possible), the bytes must be valid UTF-8, and the parser stops at
 * a maximum element count and nesting depth. saxes resolves namespaces, so `D:`, `d:`, `A:` and
 * default-namespace spellings of the same element compare equal.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { DavError } from './dav-error.js';

export const NS_DAV = 'DAV:';
export const NS_CARDDAV = 'urn:ietf:params:xml:ns:carddav';
export const NS_CALENDARSERVER = 'http://calendarserver.org/ns/';
/** Our own namespace, for the human-readable message in error bodies (as sabre's `s:message`). */
export const NS_SWITCHBOARD = 'urn:x-switchboard:dav';

/** An element name: namespace URI and local name. */
export interface QName {
  ns: string;
  local: string;
}

/** A parsed element: only what DAV bodies use (no mixed content, no processing instructions). */
export interface XmlElement extends QName {
  /** Attributes without a namespace prefix, by local name (DAV attributes are unqualified). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export interface XmlLimits {
  maxElements: number;
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  // A multiget of a whole 100k-card book is about 100,000 href elements (bench/REPORT.md, carddav-100000).
  maxElements: 300_000,
  // DAV bodies nest 5 or 6 deep (addressbook-query filters the most); 32 is generous.
  maxDepth: 32,
};

/** `{ns}local`, the usual map key for a QName. */
export const clark = (q: QName): string => `{${q.ns}}${q.local}`;

export const qn = (ns: string, local: string): QName => ({ ns, local });

export const is = (el: XmlElement | undefined, ns: string, local: string): boolean => !!el && el.ns === ns && el.local === local;

export const child = (el: XmlElement, ns: string, local: string): XmlElement | undefined => el.children.find((c) => c.ns === ns && c.local === local);

export const childrenNamed = (el: XmlElement, ns: string, local: string): XmlElement[] => el.children.filter((c) => c.ns === ns && c.local === local);

const DECLARATION = /<!\s*(DOCTYPE|ENTITY)/i;

/**
 * Parses a request body into an element tree. Throws a 400 DavError with a message that says what
 * was wrong; never a 500.
 */
export function parseXml(body: Buffer, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (err) {
    throw new DavError(400, 'The request body is not valid UTF-8.', { cause: err });
  }
  // Refused before the parser sees anything: with no DTD, no entity can be declared or expanded.
  const declaration = DECLARATION.exec(text);
  if (declaration) throw new DavError(400, `XML ${declaration[1]!.toUpperCase()} declarations are not accepted in DAV requests.`);

  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: DavError | undefined;
  // Throwing from a handler stops saxes at once, so a refused body is not read to its end.
  const fail = (message: string): never => {
    failure ??= new DavError(400, message);
    throw failure;
  };

  parser.on('doctype', () => fail('XML DOCTYPE declarations are not accepted in DAV requests.'));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (++count > limits.maxElements) fail(`The XML body has more than ${limits.maxElements} elements.`);
    if (stack.length >= limits.maxDepth) fail(`The XML body nests deeper than ${limits.maxDepth} levels.`);
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === '' && a.local !== 'xmlns') attrs[a.local] = a.value;
    }
    const el: XmlElement = { ns: tag.uri, local: tag.local, attrs, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('error', (err) => fail(`Malformed XML: ${err.message}`));

  try {
    parser.write(text).close();
  } catch (err) {
    throw failure ?? new DavError(400, `Malformed XML: ${(err as Error).message}`, { cause: err });
  }
  if (!root) throw new DavError(400, 'The XML body has no root element.');
  return root;
}

const NEEDS_ESCAPE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF&<>\r]/;

/**
 * Escapes character data. Strips characters XML 1.0 cannot carry at all, and writes CR as a
 * character reference: parsers turn a literal CRLF into LF (XML 1.0 §2.11), and vCards inside
 * address-data must keep their CRLF line ends. Quotes stay as they are: only attribute values
 * need them escaped (XML 1.0 §2.4), and every ETag is a quoted string.
 */
export function escapeXml(s: string): string {
  // Most text (hrefs, ETags, names) has nothing to escape: one scan instead of two replaces.
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Escapes a value for a double-quoted attribute. */
export function escapeXmlAttribute(s: string): string {
  return escapeXml(s).replace(/"/g, '&quot;');
}

/** Prefixes every multistatus we write declares on its root, so the common properties need no xmlns. */
export const KNOWN_PREFIXES: ReadonlyMap<string, string> = new Map([
  [NS_DAV, 'd'],
  [NS_CARDDAV, 'card'],
  [NS_CALENDARSERVER, 'cs'],
  [NS_SWITCHBOARD, 's'],
]);

export const ROOT_NAMESPACES = [...KNOWN_PREFIXES].map(([ns, p]) => `xmlns:${p}="${ns}"`).join(' ');

/**
 * An element as XML text. Elements in namespaces outside KNOWN_PREFIXES (a client's own
 * properties, echoed in a 404 propstat) declare their namespace on themselves.
 */
export function element(name: QName, inner = ''): string {
  const prefix = KNOWN_PREFIXES.get(name.ns);
  if (prefix) return inner === '' ? `<${prefix}:${name.local}/>` : `<${prefix}:${name.local}>${inner}</${prefix}:${name.local}>`;
  const decl = name.ns === '' ? '' : ` xmlns="${escapeXmlAttribute(name.ns)}"`;
  // A local name that came from a parsed body is a valid XML name already.
  return inner === '' ? `<${name.local}${decl}/>` : `<${name.local}${decl}>${inner}</${name.local}>`;
}

export const dav = (local: string, inner = ''): string => element(qn(NS_DAV, local), inner);
