import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DevGroup, DevUser } from '../../src/dev-tenant/directory.js';
import { SigningKeys } from '../../src/dev-tenant/signing-keys.js';
import { TokenService } from '../../src/dev-tenant/tokens.js';
import { addUser, json, startGraph, type GraphHarness } from './graph-harness.js';

describe('dev Graph: authentication and permissions', () => {
  let g: GraphHarness;
  let alice: DevUser;
  let team: DevGroup;

  beforeAll(async () => {
    g = await startGraph();
    alice = addUser(g.directory, 'Alice Adams');
    addUser(g.directory, 'Bob Brown');
    team = g.directory.addGroup({ displayName: 'Team' });
    g.directory.addMember(team.id, alice.id);
  });
  afterAll(() => g.close());
  beforeEach(() => g.denials.clear());

  it('no Authorization header is 401 InvalidAuthenticationToken with a WWW-Authenticate challenge, and is recorded (errors page)', async () => {
    const res = await g.fetch('/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="", authorization_uri="https:\/\/graph\.test\/common\/oauth2\/authorize", client_id="00000003-0000-0000-c000-000000000000"$/);
    expect((await json(res)).error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(g.denials.list()).toMatchObject([{ status: 401, reason: 'missing-token', method: 'GET', path: '/v1.0/me' }]);
  });

  it('an expired token is 401 InvalidAuthenticationToken', async () => {
    const past = new TokenService(g.keys, 'https://login.test', () => Date.now() - 2 * 3600_000);
    const token = await past.graphAccessToken({ tenant: g.tenant, client: g.client, user: alice, scopes: ['User.Read'], roles: [] });
    const res = await g.fetch('/me', { token });
    expect(res.status).toBe(401);
    expect((await json(res)).error.message).toContain('expired');
    expect(g.denials.list()[0]).toMatchObject({ reason: 'expired-token' });
  });

  it('a token signed by another key (forged) is 401 InvalidAuthenticationToken', async () => {
    const forger = new TokenService(await SigningKeys.create(), 'https://login.test');
    const token = await forger.graphAccessToken({ tenant: g.tenant, client: g.client, user: alice, scopes: ['User.Read.All'], roles: [] });
    const res = await g.fetch('/users', { token });
    expect(res.status).toBe(401);
    expect(g.denials.list()[0]).toMatchObject({ reason: 'invalid-token' });
  });

  it('a token for another audience (an app API token) is 401', async () => {
    const token = await g.tokens.appAccessToken({ tenant: g.tenant, client: g.client, user: alice, resource: g.client, scopes: ['access_as_user'], roles: [] });
    expect((await g.fetch('/me', { token })).status).toBe(401);
  });

  it('User.Read calling /users is 403 Authorization_RequestDenied and the denial names what was needed and granted (user-list permissions)', async () => {
    const token = await g.token({ user: alice, scopes: ['User.Read'] });
    const res = await g.fetch('/users', { token });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    const [denial] = g.denials.list();
    expect(denial).toMatchObject({ status: 403, tenantId: g.tenant.id, appId: g.client.clientId, userId: alice.id, path: '/v1.0/users', granted: ['User.Read'] });
    expect(denial!.required).toContainEqual(['User.ReadBasic.All']);
    expect(denial!.reason).toContain('https://learn.microsoft.com/graph/api/user-list');
  });

  it('GET /_dev/denials lists the denials and DELETE clears them', async () => {
    await g.fetch('/me');
    const listed = await json(await g.fetch('/_dev/denials'));
    expect(listed.value).toHaveLength(1);
    expect((await g.fetch('/_dev/denials', { method: 'DELETE' })).status).toBe(204);
    expect(g.denials.list()).toEqual([]);
  });

  it('User.Read reads /me but not another user (user-get: User.Read covers the signed-in user)', async () => {
    const token = await g.token({ user: alice, scopes: ['User.Read'] });
    expect((await g.fetch('/me', { token })).status).toBe(200);
    const bob = g.directory.getUser('bob.brown@contoso.test')!;
    expect((await g.fetch(`/users/${bob.id}`, { token })).status).toBe(403);
  });

  it('group members need GroupMember.Read.All (group-list-members permissions)', async () => {
    const userOnly = await g.token({ user: alice, scopes: ['User.Read.All'] });
    expect((await g.fetch(`/groups/${team.id}/members`, { token: userOnly })).status).toBe(403);
    const members = await g.token({ user: alice, scopes: ['GroupMember.Read.All', 'User.ReadBasic.All'] });
    expect((await g.fetch(`/groups/${team.id}/members`, { token: members })).status).toBe(200);
  });

  it('/me/memberOf works with User.Read, but group properties come back null without a group permission (limited information)', async () => {
    const token = await g.token({ user: alice, scopes: ['User.Read'] });
    const page = await g.sdk(token).api('/me/memberOf').get();
    expect(page.value).toEqual([expect.objectContaining({ '@odata.type': '#microsoft.graph.group', id: team.id, displayName: null })]);
    const full = await g.token({ user: alice, scopes: ['User.Read', 'GroupMember.Read.All'] });
    expect((await g.sdk(full).api('/me/memberOf').get()).value[0].displayName).toBe('Team');
  });

  it('application permissions come from roles: User.Read.All as a role lists users, a delegated scope in a role does not count', async () => {
    const app = await g.token({ roles: ['User.Read.All'] });
    expect((await g.sdk(app).api('/users').get()).value).toHaveLength(2);
    const wrong = await g.token({ roles: ['User.Read'] });
    expect((await g.fetch('/users', { token: wrong })).status).toBe(403);
  });

  it('/me with an app-only token is 400: /me needs a delegated token', async () => {
    const app = await g.token({ roles: ['User.Read.All'] });
    const res = await g.fetch('/me', { token: app });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toBe('/me request is only valid with delegated authentication flow.');
  });
});
