/**
 * Text as search as you type sees it: case- and accent-insensitive ("muller" finds "Müller", "chloe"
 * finds "Chloé"), split into words whose starts the query's words must match, and phone numbers
 * reduced to their digits whatever the formatting ("4255550120" finds "(425) 555-0120").
 */

const MARKS = /\p{M}+/gu;
const SEPARATORS = /[^\p{L}\p{N}@.]+/u;

/** Lower case, accents removed (NFKD then drop combining marks), so "Ø" and "ø" still differ from "o" as users expect. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/**
 * The words of a text as the matcher sees them, folded. A mail address is one word (a prefix of the
 * address finds it) and also yields its local part's words ("grace", "kim"), but not the domain's,
 * which every colleague shares and which would only make "contoso" match everyone.
 */
export function wordsOf(text: string): string[] {
  const words = foldText(text).split(SEPARATORS).filter(Boolean);
  const count = words.length;
  for (let i = 0; i < count; i++) {
    const word = words[i]!;
    if (!/[.@]/.test(word)) continue;
    const at = word.indexOf('@');
    for (const part of (at >= 0 ? word.slice(0, at) : word).split('.')) if (part) words.push(part);
  }
  return words;
}

export function digitsOf(text: string): string {
  return text.replace(/\D+/g, '');
}

/** A parsed query: words to match at word starts, and the digit run to find inside phone numbers. */
export interface SearchQuery {
  words: string[];
  /** Set when the whole query looks like a phone number (digits, spaces, + ( ) - . only, ≥ 3 digits). */
  digits: string | undefined;
}

export function parseQuery(q: string): SearchQuery {
  const trimmed = q.trim();
  const digits = /^[\d\s+()\-./]+$/.test(trimmed) && digitsOf(trimmed).length >= 3 ? digitsOf(trimmed) : undefined;
  return { words: wordsOf(trimmed), digits };
}
