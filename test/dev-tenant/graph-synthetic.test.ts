import { describe, expect, it } from 'vitest';
import { DevDirectory } from '../../src/dev-tenant/directory.js';
import { generateSyntheticTenant, mulberry32 } from '../../src/dev-tenant/synthetic.js';

function tenant(users: number, groups: number, seed: number) {
  const dir = new DevDirectory('5e5e5e5e-0000-4000-8000-000000000001');
  const summary = generateSyntheticTenant(dir, { users, groups, seed });
  return { dir, summary };
}

describe('synthetic tenants', () => {
  it('the same seed gives the same users, groups, ids and memberships; another seed does not', () => {
    const a = tenant(3000, 80, 11);
    const b = tenant(3000, 80, 11);
    const c = tenant(3000, 80, 12);
    const shape = (t: ReturnType<typeof tenant>) =>
      JSON.stringify({
        users: [...t.dir.listUsers()].map(({ createdDateTime: _c, ...u }) => u),
        groups: [...t.dir.listGroups()].map((g) => [g.id, g.displayName, t.dir.directMembers(g.id)]),
      });
    expect(shape(a)).toBe(shape(b));
    expect(shape(a)).not.toBe(shape(c));
  });

  it('UPNs are unique and ids are GUID-shaped', () => {
    const { dir, summary } = tenant(5000, 10, 3);
    const upns = [...dir.listUsers()].map((u) => u.userPrincipalName.toLowerCase());
    expect(new Set(upns).size).toBe(5000);
    expect(summary.userIds.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
  });

  it('has guests, disabled accounts, rooms and shared mailboxes without licences, and several phone formats', () => {
    const users = [...tenant(5000, 0, 5).dir.listUsers()];
    expect(users.filter((u) => u.userType === 'Guest').length).toBeGreaterThan(10);
    expect(users.filter((u) => !u.accountEnabled).length).toBeGreaterThan(10);
    const rooms = users.filter((u) => u.displayName.startsWith('Room '));
    expect(rooms.length).toBeGreaterThan(3);
    expect(rooms.every((u) => u.assignedLicenses.length === 0)).toBe(true);
    expect(users.some((u) => u.displayName.includes('Shared Mailbox'))).toBe(true);
    const phones = users.flatMap((u) => u.businessPhones);
    expect(phones.some((p) => p.startsWith('+1 '))).toBe(true);
    expect(phones.some((p) => p.startsWith('+44 '))).toBe(true);
    expect(users.some((u) => /^\(\d{3}\) \d{3}-\d{4}$/.test(u.mobilePhone ?? ''))).toBe(true);
  });

  it('creates security groups with members, nested groups, a Microsoft 365 group and big company-wide groups', () => {
    const { dir } = tenant(4000, 120, 9);
    const groups = [...dir.listGroups()];
    expect(groups).toHaveLength(120);
    const all = groups.find((g) => g.displayName === 'All Employees')!;
    expect(dir.directMembers(all.id).length).toBeGreaterThan(3500);
    expect(groups.some((g) => g.groupTypes.includes('Unified'))).toBe(true);
    const division = groups.find((g) => g.displayName === 'Division - Technology')!;
    expect(dir.directMembers(division.id).every((m) => m.type === 'group')).toBe(true);
    expect(dir.transitiveMembers(division.id).some((m) => m.type === 'user')).toBe(true);
  });

  it('mulberry32 is deterministic and spreads over [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.filter((x) => x < 0.5).length).toBeGreaterThan(400);
  });
});
