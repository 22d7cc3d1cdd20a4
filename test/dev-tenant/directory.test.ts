import { describe, expect, it } from 'vitest';
import { DevDirectory, DirectoryError, type DevUser } from '../../src/dev-tenant/directory.js';

function directory() {
  let n = 0;
  return new DevDirectory('t', () => 1_000, () => `id-${++n}`);
}

function drain(d: DevDirectory, kind: 'users' | 'groups', fromSeq: number, pageSize = 2) {
  const round = { fromSeq, toSeq: d.currentSeq };
  const items = [];
  let cursor: number | undefined = 0;
  let pages = 0;
  while (cursor !== undefined) {
    const page = d.deltaPage(kind, round, cursor, pageSize);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  }
  return { items, pages, token: round.toSeq };
}

describe('DevDirectory', () => {
  it('a first delta round returns every live object once, across pages', () => {
    const d = directory();
    for (let i = 0; i < 5; i++) d.addUser({ userPrincipalName: `u${i}@t.example`, displayName: `U${i}` });
    d.deleteUser('id-3');
    const { items, pages } = drain(d, 'users', 0);
    expect(items.map((i) => i.id)).toEqual(['id-1', 'id-2', 'id-4', 'id-5']);
    expect(pages).toBe(2);
  });

  it('a later round reports each changed object once with its latest state, and soft/hard deletes by reason', () => {
    const d = directory();
    for (let i = 0; i < 4; i++) d.addUser({ userPrincipalName: `u${i}@t.example`, displayName: `U${i}` });
    const { token } = drain(d, 'users', 0);
    d.updateUser('id-1', { jobTitle: 'First' });
    d.updateUser('id-1', { jobTitle: 'Second' });
    d.deleteUser('id-2');
    d.deleteUser('id-3', true);
    d.addUser({ userPrincipalName: 'new@t.example', displayName: 'New' });
    const { items } = drain(d, 'users', token);
    expect(items.map((i) => [i.id, i.removed?.reason ?? (i.value as DevUser).jobTitle ?? 'added'])).toEqual([
      ['id-1', 'Second'],
      ['id-2', 'changed'],
      ['id-3', 'deleted'],
      ['id-5', 'added'],
    ]);
  });

  it('says nothing of an object created and deleted between two rounds', () => {
    const d = directory();
    const { token } = drain(d, 'users', 0);
    d.addUser({ userPrincipalName: 'brief@t.example', displayName: 'Brief' });
    d.deleteUser('id-1');
    expect(drain(d, 'users', token).items).toEqual([]);
  });

  it('changes after a round began are left for the next round', () => {
    const d = directory();
    d.addUser({ userPrincipalName: 'a@t.example', displayName: 'A' });
    const round = { fromSeq: 0, toSeq: d.currentSeq };
    d.addUser({ userPrincipalName: 'b@t.example', displayName: 'B' });
    expect(d.deltaPage('users', round, 0, 10).items.map((i) => i.id)).toEqual(['id-1']);
    expect(drain(d, 'users', round.toSeq).items.map((i) => i.id)).toEqual(['id-2']);
  });

  it('reports membership changes as members@delta: all members first, then net adds and removes', () => {
    const d = directory();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => d.addUser({ userPrincipalName: `${x}@t.example`, displayName: x }).id);
    const g = d.addGroup({ displayName: 'G' }).id;
    d.addMember(g, a!);
    d.addMember(g, b!);
    const first = drain(d, 'groups', 0);
    expect(first.items[0]!.members).toEqual([
      { id: a, type: 'user', removed: false },
      { id: b, type: 'user', removed: false },
    ]);
    d.removeMember(g, a!);
    d.addMember(g, c!);
    d.addMember(g, a!);
    d.removeMember(g, a!); // removed again: net, a is gone
    const dUser = d.addUser({ userPrincipalName: 'd@t.example', displayName: 'd' }).id;
    d.addMember(g, dUser);
    const later = drain(d, 'groups', first.token);
    expect(later.items).toHaveLength(1);
    expect(later.items[0]!.members).toEqual([
      { id: a, type: 'user', removed: true },
      { id: c, type: 'user', removed: false },
      { id: dUser, type: 'user', removed: false },
    ]);
  });

  it('drops a member added and removed within one round from members@delta', () => {
    const d = directory();
    const g = d.addGroup({ displayName: 'G' }).id;
    const u = d.addUser({ userPrincipalName: 'u@t.example', displayName: 'u' }).id;
    const { token } = drain(d, 'groups', 0);
    d.addMember(g, u);
    d.removeMember(g, u);
    expect(drain(d, 'groups', token).items[0]!.members).toEqual([]);
  });

  it('computes transitive members and memberships through nested groups, and refuses cycles', () => {
    const d = directory();
    const u = d.addUser({ userPrincipalName: 'u@t.example', displayName: 'u' }).id;
    const [top, mid, leaf] = ['top', 'mid', 'leaf'].map((n) => d.addGroup({ displayName: n }).id) as [string, string, string];
    d.addMember(leaf, u);
    d.addMember(mid, leaf);
    d.addMember(top, mid);
    expect(d.transitiveMembers(top).map((m) => m.id).sort()).toEqual([leaf, mid, u].sort());
    expect([...d.transitiveGroupIdsOf(u)].sort()).toEqual([leaf, mid, top].sort());
    expect(() => d.addMember(leaf, top)).toThrow(/cycle/);
    expect(() => d.addMember(top, top)).toThrow(DirectoryError);
  });

  it('removes a deleted user from every group, which groups/delta then reports', () => {
    const d = directory();
    const u = d.addUser({ userPrincipalName: 'u@t.example', displayName: 'u' }).id;
    const g = d.addGroup({ displayName: 'G' }).id;
    d.addMember(g, u);
    const { token } = drain(d, 'groups', 0);
    d.deleteUser(u);
    expect(d.directMembers(g)).toEqual([]);
    expect(drain(d, 'groups', token).items[0]!.members).toEqual([{ id: u, type: 'user', removed: true }]);
  });

  it('refuses a duplicate userPrincipalName, case-insensitively, and finds users by UPN', () => {
    const d = directory();
    d.addUser({ userPrincipalName: 'Ann@t.example', displayName: 'Ann' });
    expect(() => d.addUser({ userPrincipalName: 'ann@T.example', displayName: 'Other' })).toThrow(/userPrincipalName/);
    expect(d.getUser('ANN@t.example')?.displayName).toBe('Ann');
  });

  it('hides changes younger than the replication lag from delta', () => {
    let now = 1_000;
    const d = new DevDirectory('t', () => now);
    d.addUser({ userPrincipalName: 'a@t.example', displayName: 'A' });
    now = 2_000;
    d.addUser({ userPrincipalName: 'b@t.example', displayName: 'B' });
    const round = { fromSeq: 0, toSeq: d.currentSeq };
    expect(d.deltaPage('users', round, 0, 10, 1_500).items).toHaveLength(1);
    expect(d.deltaPage('users', round, 0, 10, 2_500).items).toHaveLength(2);
  });
});
