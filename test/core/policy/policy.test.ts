import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DevRegistry } from '../../../src/dev-tenant/registry.js';
import { CONTOSO_TENANT_ID, seedSampleOrganisation, switchboardApp } from '../../../src/dev-tenant/sample-organisation.js';
import { projectRoot } from '../../../src/project.js';
import { defaultPolicy, parsePolicy, PolicyError, validatePolicyReferences, type PolicyIssue } from '../../../src/core/policy/policy.js';

const SALES_EU = '11111111-1111-4111-8111-111111111111';
const SALES_NA = '22222222-2222-4222-8222-222222222222';
const EXECUTIVES = '33333333-3333-4333-8333-333333333333';
const ENGINEERING = '44444444-4444-4444-8444-444444444444';

const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function issuesOf(json: unknown): PolicyIssue[] {
  try {
    parsePolicy(json);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).issues;
  }
  return expect.unreachable('policy was accepted');
}

describe('defaultPolicy', () => {
  it('gives a new tenant no groups, so nobody receives anything until an administrator chooses', () => {
    expect(defaultPolicy()).toEqual({
      version: 1,
      groups: [],
      mappings: [],
      exclude: { disabledAccounts: true, guests: true, roomsAndSharedMailboxes: true, hiddenFromAddressLists: true },
      hiddenFields: [],
    });
  });

  it('round-trips through parsePolicy unchanged', () => {
    expect(parsePolicy(JSON.parse(JSON.stringify(defaultPolicy())))).toEqual(defaultPolicy());
  });

  it('fills parts left out with the new-tenant values, exclusions on the safe side', () => {
    expect(parsePolicy({ version: 1, groups: [SALES_EU], exclude: { guests: false } })).toEqual({
      ...defaultPolicy(),
      groups: [SALES_EU],
      exclude: { disabledAccounts: true, guests: false, roomsAndSharedMailboxes: true, hiddenFromAddressLists: true },
    });
  });
});

describe('parsePolicy', () => {
  it('accepts groups, an Executives → Sales-EU and Sales-NA mapping and a hidden mobile number', () => {
    const json = {
      version: 1,
      groups: [SALES_EU, SALES_NA],
      mappings: [{ audience: EXECUTIVES, visible: [SALES_EU, SALES_NA] }],
      exclude: { disabledAccounts: true, guests: false, roomsAndSharedMailboxes: true, hiddenFromAddressLists: false },
      hiddenFields: ['mobilePhone'],
    };
    expect(parsePolicy(json)).toEqual(json);
  });

  it('stores group ids in lower case, as Graph returns them', () => {
    expect(parsePolicy({ version: 1, groups: [SALES_EU.toUpperCase().replace(/1/g, 'A')] }).groups).toEqual([SALES_EU.replace(/1/g, 'a')]);
  });

  it('refuses a group id that is not a GUID, naming the field and the value', () => {
    expect(issuesOf({ version: 1, groups: [SALES_EU, 'Sales-EU'] })).toEqual([
      { path: 'groups[1]', message: expect.stringMatching(/^"Sales-EU" is not a group id/) },
    ]);
  });

  it('refuses a bad GUID inside a mapping with its full path', () => {
    expect(issuesOf({ version: 1, groups: [], mappings: [{ audience: EXECUTIVES, visible: [SALES_EU] }, { audience: EXECUTIVES.slice(1), visible: ['x'] }] })).toEqual([
      { path: 'mappings[1].audience', message: expect.stringContaining('is not a group id') },
      { path: 'mappings[1].visible[0]', message: expect.stringContaining('is not a group id') },
    ]);
  });

  it('refuses the same group twice, even in different case', () => {
    expect(issuesOf({ version: 1, groups: [SALES_EU, SALES_NA, SALES_EU.toUpperCase()] })).toEqual([
      { path: 'groups[2]', message: `group "${SALES_EU}" is already at index 0` },
    ]);
  });

  it('refuses the same visible group twice in a mapping', () => {
    expect(issuesOf({ version: 1, groups: [], mappings: [{ audience: EXECUTIVES, visible: [SALES_EU, SALES_EU] }] })).toEqual([
      { path: 'mappings[0].visible[1]', message: `group "${SALES_EU}" is already at index 0` },
    ]);
  });

  it('refuses two mappings for one audience, so each audience has one list of visible groups', () => {
    expect(issuesOf({ version: 1, groups: [], mappings: [{ audience: EXECUTIVES, visible: [SALES_EU] }, { audience: EXECUTIVES, visible: [SALES_NA] }] })).toEqual([
      { path: 'mappings[1]', message: `audience "${EXECUTIVES}" is already at index 0` },
    ]);
  });

  it('refuses more than 500 groups', () => {
    const groups = Array.from({ length: 501 }, (_, i) => guid(i));
    expect(issuesOf({ version: 1, groups })).toEqual([{ path: 'groups', message: expect.stringMatching(/^at most 500 groups/) }]);
    expect(parsePolicy({ version: 1, groups: groups.slice(0, 500) }).groups).toHaveLength(500);
  });

  it('refuses more than 200 mappings', () => {
    const mappings = Array.from({ length: 201 }, (_, i) => ({ audience: guid(i), visible: [SALES_EU] }));
    expect(issuesOf({ version: 1, groups: [], mappings })).toEqual([{ path: 'mappings', message: 'at most 200 mappings' }]);
  });

  it('refuses more than 100 visible groups in a mapping', () => {
    const visible = Array.from({ length: 101 }, (_, i) => guid(i));
    expect(issuesOf({ version: 1, groups: [], mappings: [{ audience: EXECUTIVES, visible }] })).toEqual([
      { path: 'mappings[0].visible', message: expect.stringMatching(/^at most 100 visible groups per mapping/) },
    ]);
  });

  it('refuses a mapping whose audience sees no group', () => {
    expect(issuesOf({ version: 1, groups: [], mappings: [{ audience: EXECUTIVES, visible: [] }] })).toEqual([
      { path: 'mappings[0].visible', message: 'needs at least one group whose members the audience sees' },
    ]);
  });

  it.each(['displayName', 'givenName', 'surname'])('refuses to hide %s: names identify a contact', (field) => {
    expect(issuesOf({ version: 1, groups: [], hiddenFields: ['mobilePhone', field] })).toEqual([
      { path: 'hiddenFields[1]', message: expect.stringMatching(new RegExp(`^${field} cannot be hidden`)) },
    ]);
  });

  it('refuses a hidden field that is not a contact field, listing the ones there are', () => {
    expect(issuesOf({ version: 1, groups: [], hiddenFields: ['faxNumber'] })).toEqual([
      { path: 'hiddenFields[0]', message: expect.stringMatching(/^"faxNumber" is not a contact field; one of displayName, .*mobilePhone/) },
    ]);
  });

  it('refuses the same hidden field twice', () => {
    expect(issuesOf({ version: 1, groups: [], hiddenFields: ['mobilePhone', 'mobilePhone'] })).toEqual([
      { path: 'hiddenFields[1]', message: 'field "mobilePhone" is already at index 0' },
    ]);
  });

  it('refuses a field the document does not have, so a misspelt key cannot silently show what was meant to be hidden', () => {
    expect(issuesOf({ version: 1, groups: [], hiddenfields: ['mobilePhone'], exclude: { guest: true } })).toEqual([
      { path: 'exclude.guest', message: 'is not a policy field' },
      { path: 'hiddenfields', message: 'is not a policy field' },
    ]);
  });

  it('refuses a version other than 1', () => {
    expect(issuesOf({ version: 2, groups: [] })).toEqual([{ path: 'version', message: 'unsupported policy version 2; this Switchboard reads version 1' }]);
    expect(issuesOf({ groups: [] })).toEqual([{ path: 'version', message: 'is required' }]);
  });

  it('says which type a field must have', () => {
    expect(issuesOf({ version: 1, groups: SALES_EU, exclude: { guests: 'no' } })).toEqual([
      { path: 'groups', message: `must be an array (got "${SALES_EU}")` },
      { path: 'exclude.guests', message: 'must be a boolean (got "no")' },
    ]);
    expect(issuesOf({ version: 1 })).toEqual([{ path: 'groups', message: 'is required' }]);
    expect(issuesOf('[]')).toEqual([{ path: '', message: 'must be an object (got "[]")' }]);
  });

  it('reports every problem at once, in one message naming each field', () => {
    try {
      parsePolicy({ version: 1, groups: ['x'], hiddenFields: ['displayName'] });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid policy: groups\[0\]: "x" is not a group id.*; hiddenFields\[0\]: displayName cannot be hidden/);
    }
  });
});

describe('validatePolicyReferences', () => {
  it('reports every group id the directory does not know, with its path', () => {
    const policy = parsePolicy({
      version: 1,
      groups: [SALES_EU, ENGINEERING],
      mappings: [
        { audience: EXECUTIVES, visible: [SALES_EU] },
        { audience: SALES_EU, visible: [ENGINEERING, SALES_NA] },
      ],
    });
    const known = new Set([SALES_EU, EXECUTIVES, SALES_NA]);
    expect(validatePolicyReferences(policy, (id) => known.has(id))).toEqual([
      { path: 'groups[1]', message: `group '${ENGINEERING}' does not exist in the directory` },
      { path: 'mappings[1].visible[0]', message: `group '${ENGINEERING}' does not exist in the directory` },
    ]);
  });

  it('finds nothing to report when every group exists', () => {
    const policy = parsePolicy({ version: 1, groups: [SALES_EU], mappings: [{ audience: EXECUTIVES, visible: [SALES_NA] }] });
    expect(validatePolicyReferences(policy, () => true)).toEqual([]);
  });
});

describe('docs/examples/contoso-policy.json', () => {
  it('is a valid policy naming the sample organisation\'s Sales, Executives, Sales EU and Sales NA groups', () => {
    const policy = parsePolicy(JSON.parse(fs.readFileSync(`${projectRoot}/docs/examples/contoso-policy.json`, 'utf8')));
    const registry = new DevRegistry('x');
    seedSampleOrganisation(registry, switchboardApp({ clientId: '5b0a4d00-0000-4000-8000-000000000002', clientSecret: 's', identifierUri: 'api://x', appUrl: 'https://x' }));
    const names = (ids: string[]) => ids.map((id) => registry.findTenant(CONTOSO_TENANT_ID)!.directory.getGroup(id)!.displayName);
    expect(names(policy.groups)).toEqual(['Sales']);
    expect(names([policy.mappings[0]!.audience])).toEqual(['Executives']);
    expect(names(policy.mappings[0]!.visible)).toEqual(['Sales EU', 'Sales NA']);
  });
});
