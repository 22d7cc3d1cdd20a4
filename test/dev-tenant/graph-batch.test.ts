import { BatchRequestContent, BatchResponseContent } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DevUser } from '../../src/dev-tenant/directory.js';
import { addUser, GRAPH_ROOT, json, startGraph, type GraphHarness } from './graph-harness.js';

describe('dev Graph: JSON batching', () => {
  let g: GraphHarness;
  let alice: DevUser;
  let token: string;

  beforeAll(async () => {
    g = await startGraph();
    alice = addUser(g.directory, 'Alice Adams');
    addUser(g.directory, 'Bob Brown');
    token = await g.token({ user: alice, scopes: ['User.Read', 'User.ReadBasic.All'] });
  });
  afterAll(() => g.close());
  beforeEach(() => {
    g.denials.clear();
    g.faults.reset();
  });

  it('runs each request and answers id, status, headers and body, via the SDK BatchRequestContent (json-batching)', async () => {
    const content = new BatchRequestContent([
      { id: '1', request: new Request(`${GRAPH_ROOT}/me`, { method: 'GET' }) },
      { id: '2', request: new Request(`${GRAPH_ROOT}/users?$select=displayName`, { method: 'GET' }) },
    ]);
    const raw = await g.sdk(token).api('/$batch').post(await content.getContent());
    const responses = new BatchResponseContent(raw).getResponses();
    const me = (await responses.get('1')!.json()) as DevUser;
    expect(responses.get('1')!.status).toBe(200);
    expect(me.id).toBe(alice.id);
    const users = (await responses.get('2')!.json()) as { value: DevUser[] };
    expect(users.value.map((u) => u.displayName)).toEqual(['Alice Adams', 'Bob Brown']);
    expect(raw.responses[0].headers['Content-Type']).toContain('application/json');
  });

  it('each request is authorized on its own: one 403 does not fail the batch, and the denial is recorded (json-batching example)', async () => {
    const res = await json(await g.fetch('/$batch', { token, body: { requests: [
      { id: 'a', method: 'GET', url: '/me' },
      { id: 'b', method: 'GET', url: 'groups' },
    ] } }));
    expect(res.responses.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([['a', 200], ['b', 403]]);
    expect(res.responses[1].body.error.code).toBe('Authorization_RequestDenied');
    expect(g.denials.list()).toMatchObject([{ status: 403, path: '/v1.0/groups' }]);
  });

  it('more than 20 requests is 400 (json-batching, batch size limitations)', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/me' }));
    const res = await g.fetch('/$batch', { token, body: { requests } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('BadRequest');
    const twenty = await g.fetch('/$batch', { token, body: { requests: requests.slice(0, 20) } });
    expect((await json(twenty)).responses).toHaveLength(20);
  });

  it('duplicate ids and absolute URLs make the batch 400 (json-batching: ids unique, URLs relative)', async () => {
    const dup = await g.fetch('/$batch', { token, body: { requests: [{ id: '1', method: 'GET', url: '/me' }, { id: '1', method: 'GET', url: '/me' }] } });
    expect(dup.status).toBe(400);
    const absolute = await g.fetch('/$batch', { token, body: { requests: [{ id: '1', method: 'GET', url: `${GRAPH_ROOT}/me` }] } });
    expect(absolute.status).toBe(400);
  });

  it('dependsOn runs requests in order, and a dependent of a failed request gets 424 Failed Dependency (json-batching, dependsOn)', async () => {
    const res = await json(await g.fetch('/$batch', { token, body: { requests: [
      { id: '3', method: 'GET', url: '/me', dependsOn: ['2'] },
      { id: '1', method: 'GET', url: '/users/00000000-0000-0000-0000-000000000000' },
      { id: '2', method: 'GET', url: '/me', dependsOn: ['1'] },
      { id: '4', method: 'GET', url: '/me' },
    ] } }));
    const status = Object.fromEntries(res.responses.map((r: { id: string; status: number }) => [r.id, r.status]));
    expect(status).toEqual({ '1': 404, '2': 424, '3': 424, '4': 200 });
  });

  it('a dependsOn cycle or an unknown dependency is 400', async () => {
    const cycle = await g.fetch('/$batch', { token, body: { requests: [{ id: '1', method: 'GET', url: '/me', dependsOn: ['2'] }, { id: '2', method: 'GET', url: '/me', dependsOn: ['1'] }] } });
    expect(cycle.status).toBe(400);
    const unknown = await g.fetch('/$batch', { token, body: { requests: [{ id: '1', method: 'GET', url: '/me', dependsOn: ['9'] }] } });
    expect(unknown.status).toBe(400);
  });

  it('headers such as ConsistencyLevel go in each request, and POST bodies need a Content-Type (json-batching)', async () => {
    const res = await json(await g.fetch('/$batch', { token, body: { requests: [
      { id: '1', method: 'GET', url: '/users/$count', headers: { ConsistencyLevel: 'eventual' } },
      { id: '2', method: 'POST', url: '/me/getMemberGroups', headers: { 'Content-Type': 'application/json' }, body: { securityEnabledOnly: false } },
    ] } }));
    expect(res.responses[0]).toMatchObject({ status: 200, body: '2' });
    expect(res.responses[1]).toMatchObject({ status: 200, body: { value: [] } });
    const noType = await g.fetch('/$batch', { token, body: { requests: [{ id: '1', method: 'POST', url: '/me/getMemberGroups', body: {} }] } });
    expect(noType.status).toBe(400);
  });

  it('the batch itself needs a valid token (401 without one)', async () => {
    const res = await g.fetch('/$batch', { body: { requests: [{ id: '1', method: 'GET', url: '/me' }] } });
    expect(res.status).toBe(401);
  });

  it('requests in a batch are throttled individually: a 429 shows in the item, not on the batch (json-batching, throttling)', async () => {
    g.faults.replace({ throttle: { next: 1, retryAfterSeconds: 2 } });
    const res = await g.fetch('/$batch', { token, body: { requests: [{ id: '1', method: 'GET', url: '/me' }, { id: '2', method: 'GET', url: '/me' }] } });
    expect(res.status).toBe(200);
    const body = await json(res);
    // Items without dependsOn run in any order (json-batching), so which one meets the throttle is not fixed.
    const responses = body.responses as { id: string; status: number; headers: Record<string, string> }[];
    const throttled = responses.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(1);
    expect(throttled[0]).toMatchObject({ headers: { 'Retry-After': '2' } });
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
  });
});
