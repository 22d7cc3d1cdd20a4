import { vobjectParse, type ParsedCard } from '../../carddav/helpers.js';
import type { DevDirectory, DevUser } from '../../../src/dev-tenant/directory.js';

/** The policy shape the suite uses (every exclusion on), read independently of src/core/policy. */
export interface TestPolicy {
  version: 1;
  groups: string[];
  mappings: { audience: string; visible: string[] }[];
  hiddenFields: string[];
}

export interface Verdict {
  expected: number;
  got: number;
  /** Expected contacts missing from the device. */
  lost: string[];
  /** Contacts present more than once (same UID in several cards). */
  duplicated: string[];
  /** Cards whose fields differ from the dev tenant's current truth, or that should not be there at all. */
  stale: string[];
}

const transitiveUsers = (d: DevDirectory, groupId: string): Set<string> => {
  if (!d.getGroup(groupId)) return new Set();
  return new Set(d.transitiveMembers(groupId).filter((m) => m.type === 'user').map((m) => m.id));
};

/** Accounts the policy hides from everyone: disabled (incl. rooms and shared mailboxes), guests, hidden from address lists. */
const excluded = (u: DevUser) => !u.accountEnabled || u.userType === 'Guest' || u.showInAddressList === false;

/**
 * What a user's devices must hold, computed from the dev tenant's truth by the product's rule
 * (PRODUCT.md "Group filtering"), written here from scratch rather than borrowed from
 * src/core/policy, so a bug there cannot hide itself: the policy groups the user is in, plus the
 * visible groups of mappings whose audience the user is in; their transitive members; minus excluded
 * accounts. Contact id → the user as Graph has it now.
 */
export function expectedBook(d: DevDirectory, policy: TestPolicy, userId: string): Map<string, DevUser> {
  const visibleGroups = new Set<string>();
  for (const g of policy.groups) if (transitiveUsers(d, g).has(userId)) visibleGroups.add(g);
  for (const m of policy.mappings) if (transitiveUsers(d, m.audience).has(userId)) for (const g of m.visible) visibleGroups.add(g);
  const out = new Map<string, DevUser>();
  for (const g of visibleGroups) {
    for (const id of transitiveUsers(d, g)) {
      const u = d.getUser(id);
      if (u && !excluded(u)) out.set(id, u);
    }
  }
  return out;
}

/**
 * Compares a device's local copy (vCard texts, parsed by Python's vobject as khard would) with what
 * it must hold: every expected contact once, with the current name, title, mail and business phone,
 * and the hidden mobile number absent; nothing else.
 */
export function judge(expected: Map<string, DevUser>, cards: string[] | ParsedCard[], policy: Pick<TestPolicy, 'hiddenFields'>): Verdict {
  const parsed = cards.length === 0 ? [] : typeof cards[0] === 'string' ? vobjectParse(cards as string[]) : (cards as ParsedCard[]);
  const seen = new Map<string, number>();
  const stale: string[] = [];
  for (const card of parsed) {
    const uid = card.UID[0]!;
    seen.set(uid, (seen.get(uid) ?? 0) + 1);
    const truth = expected.get(uid);
    if (!truth) {
      stale.push(`${uid} (${card.FN[0]}) should not be on the device`);
      continue;
    }
    const problems: string[] = [];
    if (card.FN[0] !== truth.displayName) problems.push(`FN ${JSON.stringify(card.FN[0])} ≠ ${JSON.stringify(truth.displayName)}`);
    if ((card.TITLE?.[0] ?? null) !== truth.jobTitle) problems.push(`TITLE ${JSON.stringify(card.TITLE?.[0])} ≠ ${JSON.stringify(truth.jobTitle)}`);
    if ((card.EMAIL?.[0] ?? null) !== truth.mail) problems.push(`EMAIL ${JSON.stringify(card.EMAIL?.[0])} ≠ ${JSON.stringify(truth.mail)}`);
    const tels = card.TEL ?? [];
    for (const phone of truth.businessPhones) if (!tels.includes(phone)) problems.push(`TEL lacks ${phone}`);
    if (policy.hiddenFields.includes('mobilePhone') && truth.mobilePhone && tels.includes(truth.mobilePhone)) problems.push('hidden mobile number shown');
    if (problems.length > 0) stale.push(`${uid}: ${problems.join('; ')}`);
  }
  return {
    expected: expected.size,
    got: parsed.length,
    lost: [...expected.keys()].filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    stale,
  };
}

/** The verdict's counts, for the report. */
export function figures(v: Verdict): { expected: number; got: number; lost: number; duplicated: number; stale: number } {
  return { expected: v.expected, got: v.got, lost: v.lost.length, duplicated: v.duplicated.length, stale: v.stale.length };
}

/** Parses several local copies with one vobject process (it starts in about 100 ms). */
export function parseCopies(copies: string[][]): ParsedCard[][] {
  const all = vobjectParse(copies.flat());
  const out: ParsedCard[][] = [];
  let at = 0;
  for (const c of copies) {
    out.push(all.slice(at, at + c.length));
    at += c.length;
  }
  return out;
}
