import { z } from 'zod';
import { CONTACT_FIELDS, NAME_FIELDS, type ContactField } from './contact-fields.js';

/**
 * A tenant's group-filter policy: the versioned JSON document the admin page edits and the store keeps.
 * The rule it encodes is PRODUCT.md "Group filtering: the rule"; evaluate.ts applies it.
 */
export interface Policy {
  version: 1;
  /** Basic rule: a member (transitively) of any of these groups receives the members of those of these groups they belong to. */
  groups: string[];
  /** Extra rules: members of `audience` (transitively) also see the members of each `visible` group. */
  mappings: PolicyMapping[];
  /** Kinds of account nobody is shown (see account-kind.ts for how each is recognised). */
  exclude: { disabledAccounts: boolean; guests: boolean; roomsAndSharedMailboxes: boolean; hiddenFromAddressLists: boolean };
  /** Contact fields never shown to anyone, e.g. ["mobilePhone"]. */
  hiddenFields: ContactField[];
}

export interface PolicyMapping {
  audience: string;
  visible: string[];
}

export interface PolicyIssue {
  /** Where in the document, e.g. `mappings[1].visible[0]`; empty for the document itself. */
  path: string;
  message: string;
}

export const MAX_GROUPS = 500;
export const MAX_MAPPINGS = 200;
export const MAX_VISIBLE_PER_MAPPING = 100;

/** A policy that cannot be used, with every problem found (not just the first). */
export class PolicyError extends Error {
  constructor(readonly issues: PolicyIssue[]) {
    super(`invalid policy: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
    this.name = 'PolicyError';
  }
}

/** A new tenant's policy: no groups, so nobody receives anything until an administrator chooses. */
export function defaultPolicy(): Policy {
  return {
    version: 1,
    groups: [],
    mappings: [],
    exclude: { disabledAccounts: true, guests: true, roomsAndSharedMailboxes: true, hiddenFromAddressLists: true },
    hiddenFields: [],
  };
}

// Entra object ids are GUIDs; z.guid rather than z.uuid because the latter also demands RFC 9562
// version bits, which directory ids need not carry. Stored lower-case, as Graph returns them, so that
// an id pasted in upper case still matches memberships and is caught as a duplicate.
const groupId = z
  .guid({ error: (iss) => `${JSON.stringify(iss.input)} is not a group id (a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)` })
  .transform((id) => id.toLowerCase());

function unique<T>(what: string, keyOf: (item: T) => unknown = (item) => item) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const first = new Map<unknown, number>();
    items.forEach((item, i) => {
      const key = keyOf(item);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else ctx.addIssue({ code: 'custom', path: [i], message: `${what} ${JSON.stringify(key)} is already at index ${earlier}` });
    });
  };
}

const groupList = (max: number, what: string) =>
  z.array(groupId).max(max, `at most ${max} ${what} (a nested group counts its members; use one group containing the others)`).superRefine(unique('group'));

const contactField = z.enum(CONTACT_FIELDS, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a contact field; one of ${CONTACT_FIELDS.join(', ')}`,
});

const hiddenField = contactField.refine((f) => !NAME_FIELDS.includes(f), {
  error: (iss) => `${String(iss.input)} cannot be hidden: names (${NAME_FIELDS.join(', ')}) identify a contact`,
});

// Strict objects: a misspelt key ("hiddenfields") must be reported, not silently ignored, since
// ignoring it would show what the administrator meant to hide. Parts an administrator may leave out
// default to the new-tenant values; exclusions default to "excluded", the safe side.
const policySchema = z.strictObject({
  version: z.literal(1, {
    error: (iss) => (iss.input === undefined ? 'is required' : `unsupported policy version ${JSON.stringify(iss.input)}; this Switchboard reads version 1`),
  }),
  groups: groupList(MAX_GROUPS, 'groups'),
  mappings: z
    .array(
      z.strictObject({
        audience: groupId,
        visible: groupList(MAX_VISIBLE_PER_MAPPING, 'visible groups per mapping').min(1, 'needs at least one group whose members the audience sees'),
      }),
    )
    .max(MAX_MAPPINGS, `at most ${MAX_MAPPINGS} mappings`)
    // One mapping per audience, so an audit line "mapping for X" names one thing; add groups to it instead.
    .superRefine(unique('audience', (m: PolicyMapping) => m.audience))
    .default([]),
  exclude: z
    .strictObject({
      disabledAccounts: z.boolean().default(true),
      guests: z.boolean().default(true),
      roomsAndSharedMailboxes: z.boolean().default(true),
      hiddenFromAddressLists: z.boolean().default(true),
    })
    .default(() => defaultPolicy().exclude),
  hiddenFields: z.array(hiddenField).superRefine(unique('field')).default([]),
});

/** Checks a policy document (parsed JSON), throwing a PolicyError that names every bad field. */
export function parsePolicy(json: unknown): Policy {
  const result = policySchema.safeParse(json, { reportInput: true });
  if (!result.success) throw new PolicyError(result.error.issues.flatMap(toPolicyIssues));
  return result.data;
}

function toPolicyIssues(issue: z.core.$ZodIssue): PolicyIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'is not a policy field' }));
  }
  let message = issue.message;
  if (issue.code === 'invalid_type') message = issue.input === undefined ? 'is required' : `must be ${article(issue.expected)} (got ${describe(issue.input)})`;
  return [{ path: formatPath(issue.path), message }];
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

/** `['mappings', 1, 'visible', 0]` → `mappings[1].visible[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/**
 * Group ids that the directory does not know. Kept apart from parsePolicy because it needs the synced
 * directory: the admin page refuses to save with any, while a stored policy whose group was later
 * deleted stays valid (the group simply has no members) and is reported on the sync-health view.
 */
export function validatePolicyReferences(policy: Policy, groupExists: (id: string) => boolean): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const check = (id: string, path: string) => {
    if (!groupExists(id)) issues.push({ path, message: `group '${id}' does not exist in the directory` });
  };
  policy.groups.forEach((id, i) => check(id, `groups[${i}]`));
  policy.mappings.forEach((m, i) => {
    check(m.audience, `mappings[${i}].audience`);
    m.visible.forEach((id, j) => check(id, `mappings[${i}].visible[${j}]`));
  });
  return issues;
}
