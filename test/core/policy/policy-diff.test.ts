import { describe, expect, it } from 'vitest';
import { diffPolicy } from '../../../src/core/policy/policy-diff.js';
import { defaultPolicy, type Policy } from '../../../src/core/policy/policy.js';

const SALES_EU = '11111111-1111-4111-8111-111111111111';
const SALES_NA = '22222222-2222-4222-8222-222222222222';
const EXECUTIVES = '33333333-3333-4333-8333-333333333333';
const NAMES: Record<string, string> = { [SALES_EU]: 'Sales-EU', [SALES_NA]: 'Sales-NA', [EXECUTIVES]: 'Executives' };
const nameOf = (id: string) => NAMES[id];

const policy = (p: Partial<Policy>): Policy => ({ ...defaultPolicy(), ...p });

describe('diffPolicy', () => {
  it('finds nothing to log when nothing changed', () => {
    expect(diffPolicy(defaultPolicy(), defaultPolicy())).toEqual([]);
  });

  it('logs groups added and removed, with names next to ids', () => {
    expect(diffPolicy(policy({ groups: [SALES_EU] }), policy({ groups: [SALES_NA] }), nameOf)).toEqual([
      `added group Sales-NA (${SALES_NA})`,
      `removed group Sales-EU (${SALES_EU})`,
    ]);
  });

  it('logs bare ids when no name is known', () => {
    expect(diffPolicy(defaultPolicy(), policy({ groups: [SALES_EU] }))).toEqual([`added group ${SALES_EU}`]);
  });

  it('ignores a change of order alone', () => {
    expect(diffPolicy(policy({ groups: [SALES_EU, SALES_NA] }), policy({ groups: [SALES_NA, SALES_EU] }))).toEqual([]);
  });

  it('logs a mapping added, widened, narrowed and removed', () => {
    const added = policy({ mappings: [{ audience: EXECUTIVES, visible: [SALES_EU] }] });
    expect(diffPolicy(defaultPolicy(), added, nameOf)).toEqual([`added mapping: members of Executives (${EXECUTIVES}) see Sales-EU (${SALES_EU})`]);
    const changed = policy({ mappings: [{ audience: EXECUTIVES, visible: [SALES_NA] }] });
    expect(diffPolicy(added, changed, nameOf)).toEqual([
      `mapping for Executives (${EXECUTIVES}): now also sees Sales-NA (${SALES_NA})`,
      `mapping for Executives (${EXECUTIVES}): no longer sees Sales-EU (${SALES_EU})`,
    ]);
    expect(diffPolicy(changed, defaultPolicy(), nameOf)).toEqual([
      `removed mapping: members of Executives (${EXECUTIVES}) no longer see Sales-NA (${SALES_NA})`,
    ]);
  });

  it('logs exclusions switched on and off', () => {
    const after = policy({ exclude: { disabledAccounts: true, guests: false, roomsAndSharedMailboxes: false, hiddenFromAddressLists: true } });
    expect(diffPolicy(defaultPolicy(), after)).toEqual(['guests no longer excluded', 'rooms and shared mailboxes no longer excluded']);
    expect(diffPolicy(after, defaultPolicy())).toEqual(['guests excluded', 'rooms and shared mailboxes excluded']);
  });

  it('logs fields hidden and shown again', () => {
    expect(diffPolicy(policy({ hiddenFields: ['city'] }), policy({ hiddenFields: ['mobilePhone'] }))).toEqual(['mobilePhone hidden', 'city shown']);
  });
});
