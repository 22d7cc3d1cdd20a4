import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevGroup, DevUser } from '../../src/dev-tenant/directory.js';
import { addUser, GRAPH_ROOT, json, startGraph, type GraphHarness } from './graph-harness.js';

describe('dev Graph: groups and memberships', () => {
  let g: GraphHarness;
  let alice: DevUser;
  let bob: DevUser;
  let carol: DevUser;
  let engineering: DevGroup;
  let platform: DevGroup;
  let everyone: DevGroup;
  let m365: DevGroup;
  let token: string;

  beforeAll(async () => {
    g = await startGraph();
    alice = addUser(g.directory, 'Alice Adams');
    bob = addUser(g.directory, 'Bob Brown');
    carol = addUser(g.directory, 'Carol Clark');
    platform = g.directory.addGroup({ displayName: 'Platform' });
    engineering = g.directory.addGroup({ displayName: 'Engineering' });
    everyone = g.directory.addGroup({ displayName: 'Everyone' });
    m365 = g.directory.addGroup({ displayName: 'Announcements', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, mail: 'announce@contoso.test' });
    g.directory.addMember(platform.id, alice.id);
    g.directory.addMember(engineering.id, platform.id);
    g.directory.addMember(engineering.id, bob.id);
    g.directory.addMember(everyone.id, engineering.id);
    g.directory.addMember(everyone.id, carol.id);
    g.directory.addMember(m365.id, alice.id);
    token = await g.token({ user: alice, scopes: ['User.Read', 'User.Read.All', 'GroupMember.Read.All'] });
  });
  afterAll(() => g.close());

  it('GET /groups lists groups and $filter on groupTypes/any finds Microsoft 365 groups (group-list)', async () => {
    const all = await g.sdk(token).api('/groups').select(['id', 'displayName']).get();
    expect(all.value.map((x: DevGroup) => x.displayName)).toEqual(['Platform', 'Engineering', 'Everyone', 'Announcements']);
    const unified = await g.sdk(token).api('/groups').filter("groupTypes/any(c:c eq 'Unified')").get();
    expect(unified.value).toEqual([expect.objectContaining({ id: m365.id, mail: 'announce@contoso.test', mailEnabled: true, securityEnabled: false })]);
  });

  it('GET /groups/{id} returns the group with @odata.context …/$entity (group-get)', async () => {
    const got = await g.sdk(token).api(`/groups/${engineering.id}`).get();
    expect(got['@odata.context']).toBe(`${GRAPH_ROOT}/$metadata#groups/$entity`);
    expect(got).toMatchObject({ id: engineering.id, displayName: 'Engineering', groupTypes: [], securityEnabled: true });
  });

  it('/groups/{id}/members lists direct members, users and groups, each with @odata.type (group-list-members)', async () => {
    const page = await g.sdk(token).api(`/groups/${engineering.id}/members`).get();
    expect(page['@odata.context']).toBe(`${GRAPH_ROOT}/$metadata#directoryObjects`);
    expect(page.value.map((m: { '@odata.type': string; id: string }) => [m['@odata.type'], m.id])).toEqual([
      ['#microsoft.graph.group', platform.id],
      ['#microsoft.graph.user', bob.id],
    ]);
  });

  it('/groups/{id}/transitiveMembers flattens nested groups, each member once (group-list-transitivemembers)', async () => {
    const page = await g.sdk(token).api(`/groups/${everyone.id}/transitiveMembers`).get();
    expect(new Set(page.value.map((m: { id: string }) => m.id))).toEqual(new Set([engineering.id, carol.id, platform.id, bob.id, alice.id]));
  });

  it('the microsoft.graph.user cast needs ConsistencyLevel + $count, then returns only users (group-list-transitivemembers)', async () => {
    expect((await g.fetch(`/groups/${everyone.id}/transitiveMembers/microsoft.graph.user`, { token })).status).toBe(400);
    const page = await g.sdk(token).api(`/groups/${everyone.id}/transitiveMembers/microsoft.graph.user`).header('ConsistencyLevel', 'eventual').query({ $count: 'true' }).orderby('displayName').get();
    expect(page['@odata.context']).toBe(`${GRAPH_ROOT}/$metadata#users`);
    expect(page['@odata.count']).toBe(3);
    expect(page.value.map((u: DevUser) => u.displayName)).toEqual(['Alice Adams', 'Bob Brown', 'Carol Clark']);
  });

  it('members pages with $top and @odata.nextLink; the SDK PageIterator walks them (paging)', async () => {
    const { PageIterator } = await import('@microsoft/microsoft-graph-client');
    const client = g.sdk(token);
    const first = await client.api(`/groups/${everyone.id}/transitiveMembers`).top(2).get();
    expect(first['@odata.nextLink']).toMatch(/^https:\/\/graph\.test\/v1\.0\/groups\/.+\/transitiveMembers\?\$top=2&\$skiptoken=/);
    const seen: string[] = [];
    await new PageIterator(client, first, (m: { id: string }) => (seen.push(m.id), true)).iterate();
    expect(seen).toHaveLength(5);
  });

  it('/groups/{id}/members/$count needs ConsistencyLevel: eventual', async () => {
    expect((await g.fetch(`/groups/${engineering.id}/members/$count`, { token })).status).toBe(400);
    const res = await g.fetch(`/groups/${engineering.id}/members/$count`, { token, headers: { ConsistencyLevel: 'eventual' } });
    expect(await res.text()).toBe('2');
  });

  it('/me/memberOf lists direct groups; /me/transitiveMemberOf adds the nesting (user-list-memberof, user-list-transitivememberof)', async () => {
    const direct = await g.sdk(token).api('/me/memberOf').get();
    expect(direct.value.map((x: DevGroup) => x.displayName)).toEqual(['Platform', 'Announcements']);
    const transitive = await g.sdk(token).api('/me/transitiveMemberOf').get();
    expect(new Set(transitive.value.map((x: DevGroup) => x.displayName))).toEqual(new Set(['Platform', 'Announcements', 'Engineering', 'Everyone']));
  });

  it('/users/{id}/memberOf and /users/{id}/transitiveMemberOf work for another user', async () => {
    const direct = await g.sdk(token).api(`/users/${bob.id}/memberOf`).get();
    expect(direct.value.map((x: DevGroup) => x.id)).toEqual([engineering.id]);
    const transitive = await g.sdk(token).api(`/users/${bob.userPrincipalName}/transitiveMemberOf`).get();
    expect(transitive.value.map((x: DevGroup) => x.id).sort()).toEqual([engineering.id, everyone.id].sort());
  });

  it('checkMemberGroups returns, transitively, which of the given groups the user is in (directoryobject-checkmembergroups)', async () => {
    const outsider = g.directory.addGroup({ displayName: 'Outsiders' });
    const res = await g.sdk(token).api('/me/checkMemberGroups').post({ groupIds: [everyone.id, outsider.id, platform.id] });
    expect(res['@odata.context']).toBe(`${GRAPH_ROOT}/$metadata#Collection(Edm.String)`);
    expect(res.value).toEqual([everyone.id, platform.id]);
    const other = await g.sdk(token).api(`/users/${carol.id}/checkMemberGroups`).post({ groupIds: [everyone.id, engineering.id] });
    expect(other.value).toEqual([everyone.id]);
  });

  it('checkMemberGroups takes at most 20 group ids (directoryobject-checkmembergroups)', async () => {
    const groupIds = Array.from({ length: 21 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const res = await g.fetch('/me/checkMemberGroups', { token, body: { groupIds } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('Request_BadRequest');
  });

  it('getMemberGroups returns every group, and only security groups with securityEnabledOnly (directoryobject-getmembergroups)', async () => {
    const all = await g.sdk(token).api('/me/getMemberGroups').post({ securityEnabledOnly: false });
    expect(new Set(all.value)).toEqual(new Set([platform.id, m365.id, engineering.id, everyone.id]));
    const security = await g.sdk(token).api('/me/getMemberGroups').post({ securityEnabledOnly: true });
    expect(security.value).not.toContain(m365.id);
    expect((await g.fetch('/me/getMemberGroups', { token, body: {} })).status).toBe(400);
  });

  it('the SDK-style fully qualified action name microsoft.graph.checkMemberGroups is accepted', async () => {
    const res = await g.sdk(token).api('/me/microsoft.graph.checkMemberGroups').post({ groupIds: [everyone.id] });
    expect(res.value).toEqual([everyone.id]);
  });
});
