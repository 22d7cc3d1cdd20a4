import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DevGroup, DevUser } from '../../src/dev-tenant/directory.js';
import { addUser, GRAPH_ROOT, json, manualClock, startGraph, type GraphHarness } from './graph-harness.js';

type Item = Record<string, unknown> & { id: string };
interface Round {
  pages: { value: Item[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }[];
  items: Item[];
  deltaLink: string;
}

/** Follows nextLinks to the deltaLink, as a sync client does. */
async function round(client: Client, start: string, headers: Record<string, string> = {}): Promise<Round> {
  const pages: Round['pages'] = [];
  let url: string | undefined = start;
  while (url) {
    const page: Round['pages'][number] = await client.api(url).headers(headers).get();
    pages.push(page);
    url = page['@odata.nextLink'];
  }
  return { pages, items: pages.flatMap((p) => p.value), deltaLink: pages.at(-1)!['@odata.deltaLink']! };
}

const byId = (items: Item[]) => new Map(items.map((i) => [i.id, i]));

describe('dev Graph: delta queries', () => {
  const clock = manualClock();
  let g: GraphHarness;
  let users: DevUser[];
  let client: Client;

  beforeAll(async () => {
    g = await startGraph({ now: clock.now });
    users = ['Alice Adams', 'Bob Brown', 'Carol Clark', 'Dan Diaz', 'Eve Evans'].map((n) => addUser(g.directory, n, { jobTitle: 'Engineer' }));
  });
  afterAll(() => g.close());
  beforeEach(async () => {
    g.faults.reset();
    client = g.sdk(await g.token({ roles: ['User.Read.All', 'GroupMember.Read.All'] }));
  });

  it('a first round returns every user over nextLink pages ending in one deltaLink, honouring Prefer: odata.maxpagesize (delta-query-overview)', async () => {
    const r = await round(client, '/users/delta', { Prefer: 'odata.maxpagesize=2' });
    expect(r.pages.map((p) => p.value.length)).toEqual([2, 2, 1]);
    expect(r.pages.slice(0, -1).every((p) => p['@odata.nextLink'] && !p['@odata.deltaLink'])).toBe(true);
    expect(r.deltaLink).toMatch(/^https:\/\/graph\.test\/v1\.0\/users\/delta\?\$deltatoken=/);
    expect(r.items.map((u) => u.displayName)).toEqual(users.map((u) => u.displayName));
    expect(r.items[0]).toMatchObject({ id: users[0]!.id, businessPhones: [], jobTitle: 'Engineer', preferredLanguage: null });
    const res = await g.fetch('/users/delta', { token: await g.token({ roles: ['User.Read.All'] }), headers: { Prefer: 'odata.maxpagesize=2' } });
    expect(res.headers.get('preference-applied')).toBe('odata.maxpagesize=2');
  });

  it('the next round reports adds, updates, and soft (@removed changed) and permanent (@removed deleted) deletions (delta-query-users)', async () => {
    const first = await round(client, '/users/delta');
    const [alice, bob, carol] = users as [DevUser, DevUser, DevUser];
    const frank = addUser(g.directory, 'Frank Fox');
    g.directory.updateUser(alice.id, { jobTitle: 'Principal Engineer' });
    g.directory.deleteUser(bob.id);
    g.directory.deleteUser(carol.id, true);
    const next = byId((await round(client, first.deltaLink)).items);
    expect(next.size).toBe(4);
    expect(next.get(frank.id)).toMatchObject({ displayName: 'Frank Fox' });
    expect(next.get(alice.id)).toMatchObject({ jobTitle: 'Principal Engineer' });
    expect(next.get(bob.id)).toEqual({ id: bob.id, '@removed': { reason: 'changed' } });
    expect(next.get(carol.id)).toEqual({ id: carol.id, '@removed': { reason: 'deleted' } });
    users = users.filter((u) => u.id !== bob.id && u.id !== carol.id).concat(frank);
  });

  it('a round without changes is an empty page with a new deltaLink (delta-query-groups, deltaLink response)', async () => {
    const first = await round(client, '/users/delta');
    const again = await round(client, first.deltaLink);
    expect(again.pages).toHaveLength(1);
    expect(again.items).toEqual([]);
    expect(again.deltaLink).toMatch(/\$deltatoken=/);
  });

  it('$select is carried in the tokens to later pages and rounds; the id is always returned (user-delta)', async () => {
    const r = await round(client, '/users/delta?$select=displayName,jobTitle', { Prefer: 'odata.maxpagesize=1' });
    expect(r.pages[1]!['@odata.nextLink'] ?? r.deltaLink).not.toContain('select');
    expect(r.items.every((u) => Object.keys(u).sort().join() === 'displayName,id,jobTitle')).toBe(true);
    g.directory.updateUser(users[0]!.id, { officeLocation: 'Lisbon' });
    const next = await round(client, r.deltaLink);
    expect(Object.keys(next.items[0]!).sort()).toEqual(['displayName', 'id', 'jobTitle']);
  });

  it('$deltatoken=latest returns no data and a deltaLink; the round after it has only later changes (delta-query-overview)', async () => {
    const latest = await client.api('/users/delta?$deltatoken=latest').get();
    expect(latest.value).toEqual([]);
    expect(latest['@odata.deltaLink']).toBeDefined();
    const gina = addUser(g.directory, 'Gina Gray');
    const next = await round(client, latest['@odata.deltaLink']);
    expect(next.items.map((u) => u.id)).toEqual([gina.id]);
    users.push(gina);
  });

  it('a delta token older than 7 days is 400 syncStateNotFound (delta-query-overview, token duration; 2020-07-03 devblog)', async () => {
    const first = await round(client, '/users/delta');
    clock.advance(7 * 24 * 3600_000 + 1);
    const token = await g.token({ roles: ['User.Read.All'] });
    const res = await g.fetch(first.deltaLink, { token });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('syncStateNotFound');
  });

  it('the expiry fault expires every token issued before now, answered 400 syncStateNotFound by default', async () => {
    const first = await round(client, '/users/delta');
    clock.advance(1);
    g.faults.replace({ deltaTokens: { expireIssuedBefore: 'now' } });
    const token = await g.token({ roles: ['User.Read.All'] });
    expect((await g.fetch(first.deltaLink, { token })).status).toBe(400);
    // Tokens issued after the switch are fine.
    expect((await g.fetch('/users/delta', { token })).status).toBe(200);
  });

  it('with response resyncRequired, an expired token is 410 Gone with a Location restarting the sync (delta-query-overview, synchronization reset)', async () => {
    const first = await round(client, '/users/delta');
    clock.advance(1);
    g.faults.replace({ deltaTokens: { expireIssuedBefore: 'now', response: 'resyncRequired' } });
    const token = await g.token({ roles: ['User.Read.All'] });
    const res = await g.fetch(first.deltaLink, { token });
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe('resyncRequired');
    const location = res.headers.get('location')!;
    expect(location).toBe(`${GRAPH_ROOT}/users/delta?$deltatoken=`);
    const restarted = await round(client, location);
    expect(restarted.items).toHaveLength(users.length);
  });

  it('a forged or edited delta token is 400', async () => {
    const first = await round(client, '/users/delta');
    const edited = first.deltaLink.replace(/\$deltatoken=(.)/, (_m, c: string) => `$deltatoken=${c === 'A' ? 'B' : 'A'}`);
    const res = await g.fetch(edited, { token: await g.token({ roles: ['User.Read.All'] }) });
    expect(res.status).toBe(400);
  });

  it('replication lag hides a change until it replicates, and the next round still reports it (delta-query-overview, processing delays)', async () => {
    const first = await round(client, '/users/delta');
    g.faults.replace({ replicationLagMs: 5000 });
    clock.advance(10_000);
    const hana = addUser(g.directory, 'Hana Hill');
    clock.advance(1000);
    const early = await round(client, first.deltaLink);
    expect(early.items.map((u) => u.id)).not.toContain(hana.id);
    clock.advance(5000);
    const late = await round(client, early.deltaLink);
    expect(late.items.map((u) => u.id)).toEqual([hana.id]);
    users.push(hana);
  });

  it('the fully qualified function name the SDKs use, /users/microsoft.graph.delta(), is the same function (delta-query-overview tip)', async () => {
    const short = await round(client, '/users/delta');
    const long = await round(client, '/users/microsoft.graph.delta()');
    expect(long.items.map((u) => u.id)).toEqual(short.items.map((u) => u.id));
  });

  it('$filter on delta is refused with 400 rather than ignored (the dev tenant does not implement id scoping)', async () => {
    const res = await g.fetch(`/users/delta?$filter=${encodeURIComponent(`id eq '${users[0]!.id}'`)}`, { token: await g.token({ roles: ['User.Read.All'] }) });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('Request_UnsupportedQuery');
  });

  it('users/delta needs a user-read permission: GroupMember.Read.All alone is 403 (user-delta permissions)', async () => {
    const token = await g.token({ roles: ['GroupMember.Read.All'] });
    expect((await g.fetch('/users/delta', { token })).status).toBe(403);
  });
});

describe('dev Graph: groups delta', () => {
  let g: GraphHarness;
  let client: Client;
  let u: DevUser[];
  let a: DevGroup;
  let b: DevGroup;

  beforeAll(async () => {
    g = await startGraph();
    u = Array.from({ length: 1200 }, (_, i) => addUser(g.directory, `User ${String(i).padStart(4, '0')}`));
    a = g.directory.addGroup({ displayName: 'A' });
    b = g.directory.addGroup({ displayName: 'B' });
    g.directory.addGroup({ displayName: 'Empty' });
    g.directory.addMember(a.id, u[0]!.id);
    g.directory.addMember(a.id, u[1]!.id);
    g.directory.addMember(b.id, a.id);
    g.directory.addMember(b.id, u[2]!.id);
    client = g.sdk(await g.token({ roles: ['GroupMember.Read.All', 'User.Read.All'] }));
  });
  afterAll(() => g.close());

  it('the first round lists current members in members@delta, typed user or group; a group without members has none (delta-query-groups)', async () => {
    const r = await round(client, '/groups/delta');
    const groups = byId(r.items);
    expect(groups.get(a.id)!['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: u[0]!.id },
      { '@odata.type': '#microsoft.graph.user', id: u[1]!.id },
    ]);
    expect(groups.get(b.id)!['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.group', id: a.id },
      { '@odata.type': '#microsoft.graph.user', id: u[2]!.id },
    ]);
    expect([...groups.values()].find((x) => x.displayName === 'Empty')).not.toHaveProperty('members@delta');
  });

  it('the next round reports member additions, removals with @removed, nested-group additions and new groups', async () => {
    const first = await round(client, '/groups/delta');
    const c = g.directory.addGroup({ displayName: 'C' });
    g.directory.removeMember(a.id, u[0]!.id);
    g.directory.addMember(a.id, u[3]!.id);
    g.directory.addMember(b.id, c.id);
    g.directory.updateGroup(b.id, { description: 'Team B' });
    const next = byId((await round(client, first.deltaLink)).items);
    expect(next.get(a.id)!['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: u[0]!.id, '@removed': { reason: 'deleted' } },
      { '@odata.type': '#microsoft.graph.user', id: u[3]!.id },
    ]);
    expect(next.get(b.id)).toMatchObject({ description: 'Team B', 'members@delta': [{ '@odata.type': '#microsoft.graph.group', id: c.id }] });
    expect(next.get(c.id)).toMatchObject({ displayName: 'C' });
    expect(next.get(c.id)).not.toHaveProperty('members@delta');
  });

  it('a deleted group is reported with @removed, and deleting a user removes it from its groups (delta-query-groups)', async () => {
    const first = await round(client, '/groups/delta');
    const doomed = g.directory.addGroup({ displayName: 'Doomed' });
    const mid = await round(client, first.deltaLink);
    g.directory.deleteGroup(doomed.id, true);
    g.directory.deleteUser(u[3]!.id);
    const next = byId((await round(client, mid.deltaLink)).items);
    expect(next.get(doomed.id)).toEqual({ id: doomed.id, '@removed': { reason: 'deleted' } });
    expect(next.get(a.id)!['members@delta']).toEqual([{ '@odata.type': '#microsoft.graph.user', id: u[3]!.id, '@removed': { reason: 'deleted' } }]);
  });

  it('a group with many members appears on several pages with its members split (delta-query-groups, paging through members)', async () => {
    const big = g.directory.addGroup({ displayName: 'Big' });
    for (const user of u.slice(100)) g.directory.addMember(big.id, user.id);
    const r = await round(client, '/groups/delta');
    const pagesWithBig = r.pages.filter((p) => p.value.some((x) => x.id === big.id));
    expect(pagesWithBig.length).toBeGreaterThanOrEqual(3);
    const members = pagesWithBig.flatMap((p) => p.value.filter((x) => x.id === big.id).flatMap((x) => x['members@delta'] as { id: string }[]));
    expect(members).toHaveLength(1100);
    expect(new Set(members.map((m) => m.id)).size).toBe(1100);
    expect(r.pages.filter((p) => p['@odata.deltaLink'])).toHaveLength(1);
  });

  it('$select without members leaves members@delta out (delta-query-groups: members tracked via $select)', async () => {
    const r = await round(client, '/groups/delta?$select=displayName');
    expect(r.items.every((x) => !('members@delta' in x))).toBe(true);
    const withMembers = await round(client, '/groups/delta?$select=displayName,members');
    expect(byId(withMembers.items).get(b.id)).toHaveProperty('members@delta');
  });

  it('groups/delta needs GroupMember.Read.All or more: User.Read.All alone is 403 (group-delta permissions)', async () => {
    const token = await g.token({ roles: ['User.Read.All'] });
    expect((await g.fetch('/groups/delta', { token })).status).toBe(403);
  });
});
