import { GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevUser } from '../../src/dev-tenant/directory.js';
import { addUser, GRAPH_ROOT, json, startGraph, type GraphHarness } from './graph-harness.js';

describe('dev Graph: users', () => {
  let g: GraphHarness;
  let alice: DevUser;
  let bob: DevUser;
  let readAll: string;
  let readBasic: string;

  beforeAll(async () => {
    g = await startGraph();
    alice = addUser(g.directory, 'Alice Adams', { givenName: 'Alice', surname: 'Adams', jobTitle: 'Engineer', department: 'Engineering', businessPhones: ['+1 425 555 0100'], mobilePhone: '+1 206 555 0101', officeLocation: 'Seattle 2/1001' });
    bob = addUser(g.directory, 'Bob Brown', { givenName: 'Bob', surname: 'Brown', jobTitle: 'Counsel', department: 'Legal' });
    addUser(g.directory, 'Carol Clark', { department: 'Engineering', accountEnabled: false });
    addUser(g.directory, 'Dan Adler', { department: 'Sales', userType: 'Guest' });
    readAll = await g.token({ user: alice, scopes: ['User.Read', 'User.Read.All'] });
    readBasic = await g.token({ user: alice, scopes: ['User.Read', 'User.ReadBasic.All'] });
  });
  afterAll(() => g.close());

  it('GET /me returns the signed-in user with the default property set (user resource, default properties)', async () => {
    const me = await g.sdk(readAll).api('/me').get();
    expect(me['@odata.context']).toBe(`${GRAPH_ROOT}/$metadata#users/$entity`);
    expect(Object.keys(me).filter((k) => !k.startsWith('@')).sort()).toEqual(
      ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
    expect(me).toMatchObject({ id: alice.id, displayName: 'Alice Adams', businessPhones: ['+1 425 555 0100'] });
  });

  it('GET /users/{userPrincipalName} finds a user by UPN as well as by id (user-get)', async () => {
    const byUpn = await g.sdk(readAll).api(`/users/${bob.userPrincipalName}`).get();
    const byId = await g.sdk(readAll).api(`/users/${bob.id}`).get();
    expect(byUpn.id).toBe(bob.id);
    expect(byId.userPrincipalName).toBe(bob.userPrincipalName);
  });

  it('GET /users/{unknown} is 404 Request_ResourceNotFound with request-id headers and innerError (errors page)', async () => {
    const res = await g.fetch('/users/00000000-0000-0000-0000-000000000000', { token: readAll, headers: { 'client-request-id': 'abc-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('client-request-id')).toBe('abc-123');
    const body = await json(res);
    expect(body.error.code).toBe('Request_ResourceNotFound');
    expect(body.error.innerError).toMatchObject({ 'request-id': res.headers.get('request-id'), 'client-request-id': 'abc-123' });
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('$select returns only the selected properties, in the @odata.context too (query-parameters, select)', async () => {
    const page = await g.sdk(readAll).api('/users').select(['displayName', 'department']).get();
    expect(page['@odata.context']).toBe(`${GRAPH_ROOT}/$metadata#users(displayName,department)`);
    expect(page.value[0]).toEqual({ displayName: 'Alice Adams', department: 'Engineering' });
  });

  it('an unknown property in $select is 400 (query-parameters: properties must exist)', async () => {
    const err = await g.sdk(readAll).api('/users').select(['displayName', 'shoeSize']).get().catch((e: GraphError) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).statusCode).toBe(400);
    expect((err as GraphError).message).toContain("Could not find a property named 'shoeSize'");
  });

  it('$filter supports eq, startsWith, in, and, or on default-filterable properties (filter-query-parameter)', async () => {
    const names = async (filter: string) => (await g.sdk(readAll).api('/users').filter(filter).get()).value.map((u: DevUser) => u.displayName);
    expect(await names("department eq 'engineering'")).toEqual(['Alice Adams', 'Carol Clark']);
    expect(await names("startsWith(displayName,'A')")).toEqual(['Alice Adams']);
    expect(await names(`id in ('${alice.id}', '${bob.id}')`)).toEqual(['Alice Adams', 'Bob Brown']);
    expect(await names("department eq 'Engineering' and accountEnabled eq true")).toEqual(['Alice Adams']);
    expect(await names("userType eq 'Guest' or startsWith(surname, 'Bro')")).toEqual(['Bob Brown', 'Dan Adler']);
    // A literal + must be sent as %2B, or the query string turns it into a space.
    expect(await names("businessPhones/any(p:p eq '%2B1 425 555 0100')")).toEqual(['Alice Adams']);
  });

  it('ne, not and endsWith without ConsistencyLevel + $count are 400 Request_UnsupportedQuery (aad-advanced-queries)', async () => {
    for (const filter of ["department ne 'Legal'", "not(department eq 'Legal')", "endsWith(mail,'@contoso.test')"]) {
      const res = await g.fetch(`/users?$filter=${encodeURIComponent(filter)}`, { token: readAll });
      expect(res.status, filter).toBe(400);
      expect((await json(res)).error.code).toBe('Request_UnsupportedQuery');
    }
  });

  it('ne and endsWith work as advanced queries with ConsistencyLevel: eventual and $count=true', async () => {
    const page = await g.sdk(readAll).api('/users').header('ConsistencyLevel', 'eventual').query({ $count: 'true' }).filter("department ne 'Legal' and endsWith(mail,'@contoso.test')").get();
    expect(page['@odata.count']).toBe(3);
    expect(page.value.map((u: DevUser) => u.displayName)).toEqual(['Alice Adams', 'Carol Clark', 'Dan Adler']);
  });

  it('$filter on a property that does not support it is 400 Request_UnsupportedQuery (filter support table)', async () => {
    const res = await g.fetch(`/users?$filter=${encodeURIComponent("createdDateTime eq '2020-01-01'")}`, { token: readAll });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toContain("property 'createdDateTime' of resource 'User'");
  });

  it('$top=1000 is 400: page sizes are 1–999 (paging)', async () => {
    for (const top of ['1000', '0', 'abc']) {
      const res = await g.fetch(`/users?$top=${top}`, { token: readAll });
      expect(res.status, top).toBe(400);
      expect((await json(res)).error).toMatchObject({ code: 'Request_UnsupportedQuery', message: `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.` });
    }
  });

  it('$search without ConsistencyLevel: eventual is 400 Request_UnsupportedQuery (aad-advanced-queries)', async () => {
    const res = await g.fetch(`/users?$search=${encodeURIComponent('"displayName:ada"')}`, { token: readAll });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('Request_UnsupportedQuery');
  });

  it('$search with ConsistencyLevel: eventual matches word prefixes and returns @odata.count (search-query-parameter)', async () => {
    const page = await g.sdk(readAll).api('/users').header('ConsistencyLevel', 'eventual').search('"displayName:ad"').query({ $count: 'true' }).get();
    expect(page.value.map((u: DevUser) => u.displayName)).toEqual(['Alice Adams', 'Dan Adler']);
    expect(page['@odata.count']).toBe(2);
  });

  it('$count=true without ConsistencyLevel is silently ignored (aad-advanced-queries, error handling)', async () => {
    const page = await json(await g.fetch('/users?$count=true', { token: readAll }));
    expect(page['@odata.count']).toBeUndefined();
    expect(page.value).toHaveLength(4);
  });

  it('/users/$count needs ConsistencyLevel: eventual, else 400 (aad-advanced-queries)', async () => {
    expect((await g.fetch('/users/$count', { token: readAll })).status).toBe(400);
    const res = await g.fetch('/users/$count', { token: readAll, headers: { ConsistencyLevel: 'eventual' } });
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('4');
  });

  it('$orderby displayName sorts; with $filter it needs advanced query parameters (aad-advanced-queries, sorting)', async () => {
    const page = await g.sdk(readAll).api('/users').orderby('displayName desc').get();
    expect(page.value.map((u: DevUser) => u.displayName)).toEqual(['Dan Adler', 'Carol Clark', 'Bob Brown', 'Alice Adams']);
    const res = await g.fetch(`/users?$orderby=displayName&$filter=${encodeURIComponent("department eq 'Engineering'")}`, { token: readAll });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toBe('Sorting not supported for current query.');
  });

  it('with User.ReadBasic.All only the basic profile is readable; other properties come back null (permissions-reference)', async () => {
    const other = await g.sdk(readBasic).api(`/users/${bob.id}`).select(['displayName', 'mail', 'jobTitle', 'department', 'businessPhones']).get();
    expect(other).toMatchObject({ displayName: 'Bob Brown', mail: bob.mail, jobTitle: null, department: null, businessPhones: [] });
    const self = await g.sdk(readBasic).api('/me').select(['jobTitle']).get();
    expect(self.jobTitle).toBe('Engineer');
  });

  it('with User.ReadBasic.All a $filter on a property outside the basic profile is 403 and recorded', async () => {
    g.denials.clear();
    const res = await g.fetch(`/users?$filter=${encodeURIComponent("department eq 'Legal'")}`, { token: readBasic });
    expect(res.status).toBe(403);
    expect(g.denials.list()).toHaveLength(1);
  });

  it('x-ms-resource-unit reports the resource units a request cost (throttling-limits, identity and access)', async () => {
    const res = await g.fetch('/users', { token: readAll });
    expect(res.headers.get('x-ms-resource-unit')).toBe('2');
  });

  it('a write to a read-only resource is 405 (json-batching example: "Specified HTTP method is not allowed")', async () => {
    const res = await g.fetch('/users', { token: readAll, method: 'DELETE' });
    expect(res.status).toBe(405);
    expect((await json(res)).error.code).toBe('Request_BadRequest');
  });

  it('a path Graph has no resource for is 400 "Resource not found for the segment"', async () => {
    const res = await g.fetch('/usrs', { token: readAll });
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toBe("Resource not found for the segment 'usrs'.");
  });
});
