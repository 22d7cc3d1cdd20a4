import { CONTACT_FIELDS } from './contact-fields.js';
import type { Policy } from './policy.js';

const EXCLUSION_LABELS: Record<keyof Policy['exclude'], string> = {
  disabledAccounts: 'disabled accounts',
  guests: 'guests',
  roomsAndSharedMailboxes: 'rooms and shared mailboxes',
  hiddenFromAddressLists: 'accounts hidden from address lists',
};

/**
 * The changes from one policy to the next, one human-readable line each, for the audit log
 * ("added group Sales-EU (…)", "mobilePhone hidden"). Empty when nothing changed. The order is
 * stable: groups, mappings, exclusions, fields. `nameOf` puts group names next to ids; the id is
 * always kept, since a name can change or be shared by two groups.
 */
export function diffPolicy(before: Policy, after: Policy, nameOf: (groupId: string) => string | undefined = () => undefined): string[] {
  const label = (id: string) => {
    const name = nameOf(id);
    return name ? `${name} (${id})` : id;
  };
  const labels = (ids: string[]) => ids.map(label).join(', ');
  const lines: string[] = [];

  for (const id of minus(after.groups, before.groups)) lines.push(`added group ${label(id)}`);
  for (const id of minus(before.groups, after.groups)) lines.push(`removed group ${label(id)}`);

  const beforeMappings = new Map(before.mappings.map((m) => [m.audience, m.visible]));
  const afterMappings = new Map(after.mappings.map((m) => [m.audience, m.visible]));
  for (const [audience, visible] of afterMappings) {
    const old = beforeMappings.get(audience);
    if (!old) {
      lines.push(`added mapping: members of ${label(audience)} see ${labels(visible)}`);
      continue;
    }
    const added = minus(visible, old);
    const removed = minus(old, visible);
    if (added.length) lines.push(`mapping for ${label(audience)}: now also sees ${labels(added)}`);
    if (removed.length) lines.push(`mapping for ${label(audience)}: no longer sees ${labels(removed)}`);
  }
  for (const audience of minus([...beforeMappings.keys()], [...afterMappings.keys()])) {
    lines.push(`removed mapping: members of ${label(audience)} no longer see ${labels(beforeMappings.get(audience) ?? [])}`);
  }

  for (const key of Object.keys(EXCLUSION_LABELS) as (keyof Policy['exclude'])[]) {
    if (before.exclude[key] === after.exclude[key]) continue;
    lines.push(`${EXCLUSION_LABELS[key]} ${after.exclude[key] ? 'excluded' : 'no longer excluded'}`);
  }

  // In CONTACT_FIELDS order, so the log reads like the contact card.
  const hiddenBefore = new Set(before.hiddenFields);
  const hiddenAfter = new Set(after.hiddenFields);
  for (const field of CONTACT_FIELDS) {
    if (hiddenAfter.has(field) && !hiddenBefore.has(field)) lines.push(`${field} hidden`);
    if (hiddenBefore.has(field) && !hiddenAfter.has(field)) lines.push(`${field} shown`);
  }
  return lines;
}

function minus(a: string[], b: string[]): string[] {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
}
