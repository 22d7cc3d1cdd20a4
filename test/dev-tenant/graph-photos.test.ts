import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevUser } from '../../src/dev-tenant/directory.js';
import { addUser, json, startGraph, type GraphHarness } from './graph-harness.js';

/** A 1×1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('dev Graph: profile photos', () => {
  let g: GraphHarness;
  let alice: DevUser;
  let bob: DevUser;
  let token: string;

  beforeAll(async () => {
    g = await startGraph();
    alice = addUser(g.directory, 'Alice Adams');
    bob = addUser(g.directory, 'Bob Brown');
    g.directory.setPhoto(alice.id, { contentType: 'image/png', bytes: PNG, width: 1, height: 1 });
    token = await g.token({ user: bob, scopes: ['User.Read', 'User.ReadBasic.All'] });
  });
  afterAll(() => g.close());

  it('/users/{id}/photo returns the photo metadata (profilephoto-get)', async () => {
    const meta = await g.sdk(token).api(`/users/${alice.id}/photo`).get();
    expect(meta).toMatchObject({ '@odata.mediaContentType': 'image/png', width: 1, height: 1, id: 'default' });
    expect(meta['@odata.mediaEtag']).toMatch(/^".+"$/);
  });

  it('/users/{id}/photo/$value returns the bytes with their content type (profilephoto-get)', async () => {
    const bytes: ArrayBuffer = await g.sdk(token).api(`/users/${alice.id}/photo/$value`).responseType(ResponseType.ARRAYBUFFER).get();
    expect(Buffer.from(bytes).equals(PNG)).toBe(true);
    const res = await g.fetch(`/users/${alice.id}/photo/$value`, { token });
    expect(res.headers.get('content-type')).toBe('image/png');
  });

  it('a user without a photo is 404 ImageNotFound (profilephoto-get)', async () => {
    for (const path of ['/me/photo', '/me/photo/$value', `/users/${bob.id}/photo/$value`]) {
      const res = await g.fetch(path, { token });
      expect(res.status, path).toBe(404);
      expect((await json(res)).error.code).toBe('ImageNotFound');
    }
  });

  it('another user’s photo needs User.ReadBasic.All; the own photo only User.Read (profilephoto-get permissions)', async () => {
    const userRead = await g.token({ user: alice, scopes: ['User.Read'] });
    expect((await g.fetch('/me/photo/$value', { token: userRead })).status).toBe(200);
    expect((await g.fetch(`/users/${bob.id}/photo`, { token: userRead })).status).toBe(403);
  });

  it('a photo in a batch comes back base64-encoded (json-batching: binary bodies)', async () => {
    const res = await json(await g.fetch('/$batch', { token, body: { requests: [{ id: '1', method: 'GET', url: `/users/${alice.id}/photo/$value` }] } }));
    expect(res.responses[0].status).toBe(200);
    expect(Buffer.from(res.responses[0].body, 'base64').equals(PNG)).toBe(true);
  });
});
