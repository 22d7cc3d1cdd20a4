import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from '../helpers/dev-tenant.js';
import { jsonBody } from '../helpers/http.js';
import { startTabApiServer, type TabApiServer } from '../helpers/tab-api-server.js';

const SALES = 'c9000003-5eed-4000-8000-000000000003';
const SALES_EU = 'c9000004-5eed-4000-8000-000000000004';
const ENGINEERING = 'c9000006-5eed-4000-8000-000000000006';
const IT = 'c9000007-5eed-4000-8000-000000000007';

/**
 * GET /api/directory, /api/directory/{id} and its photo, on the synced sample organisation: what a
 * user sees is exactly their audience under the saved policy, searchable and filterable, and nothing else.
 */
describe('directory API', () => {
  let s: TabApiServer;
  let jonas: string; // Sales EU: sees Sales (both regions) under the policy below
  let grace: string; // Engineering: receives nothing under it
  let ethan: string; // IT: sees Engineering through a mapping

  beforeAll(async () => {
    s = await startTabApiServer();
    ethan = await s.signIn(CONTOSO_TENANT_ID, 'ethan.walker@contoso.example');
    await s.sync(CONTOSO_TENANT_ID);
    await s.setPolicy(CONTOSO_TENANT_ID, { version: 1, groups: [SALES], mappings: [{ audience: IT, visible: [ENGINEERING, IT] }], hiddenFields: ['mobilePhone'] });
    jonas = await s.ssoToken(CONTOSO_TENANT_ID, 'jonas.becker@contoso.example');
    grace = await s.ssoToken(CONTOSO_TENANT_ID, 'grace.kim@contoso.example');
  });
  afterAll(() => s?.stop());

  const get = async (path: string, token: string) => {
    const res = await s.call('GET', path, token);
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await jsonBody(res) : undefined, res };
  };
  const namesOf = (body: { contacts: { displayName: string }[] }) => body.contacts.map((c) => c.displayName);

  it('refuses a request without a token or with a forged one, with no data', async () => {
    for (const token of [undefined, 'x.y.z']) {
      const res = await s.call('GET', '/api/directory', token);
      expect(res.status).toBe(401);
      expect(JSON.stringify(await jsonBody(res))).not.toContain('contoso.example');
    }
  });

  it('lists exactly the audience of the policy: Sales sees the enabled members of Sales EU and NA, with hidden fields emptied', async () => {
    const { status, body } = await get('/api/directory', jonas);
    expect(status).toBe(200);
    expect(namesOf(body)).toEqual(['Chloé Durand', 'Diego Fernández', 'Hannah O\'Brien', 'Jonas Becker', 'Marcus Lee', 'Oliver Bennett', 'Sofia Rossi']);
    expect(body).toMatchObject({ total: 7, nextCursor: null });
    expect(body.contacts.every((c: { mobilePhone: unknown }) => c.mobilePhone === null)).toBe(true);
    const byName = (name: string) => body.contacts.find((c: { displayName: string }) => c.displayName === name);
    expect(byName('Jonas Becker')).toMatchObject({ jobTitle: 'VP Sales Europe', department: 'Sales', officeLocation: 'Berlin 2/201', businessPhones: ['+49 30 901820'], mail: 'jonas.becker@contoso.example', hasPhoto: false });
    expect(byName('Chloé Durand').hasPhoto).toBe(true);
    expect(body.facets.groups).toEqual([{ id: SALES, name: 'Sales', count: 7 }]);
    expect(body.facets.offices.map((o: { value: string }) => o.value)).toContain('Paris 3/5');
  });

  it('searches as you type across names, titles, offices and phones, and filters by office and group', async () => {
    expect(namesOf((await get('/api/directory?q=chlo', jonas)).body)).toEqual(['Chloé Durand']);
    expect(namesOf((await get('/api/directory?q=account', jonas)).body)).toEqual(['Chloé Durand', 'Hannah O\'Brien', 'Oliver Bennett']);
    expect(namesOf((await get(`/api/directory?q=${encodeURIComponent('425.555.0110')}`, jonas)).body)).toEqual(['Marcus Lee']);
    expect(namesOf((await get(`/api/directory?office=${encodeURIComponent('London 4/12')}`, jonas)).body)).toEqual(['Oliver Bennett']);
    expect(namesOf((await get(`/api/directory?group=${SALES}&q=redmond`, jonas)).body)).toEqual(['Diego Fernández', 'Hannah O\'Brien', 'Marcus Lee']);
  });

  it('pages with an opaque cursor until every contact was seen once', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    for (let i = 0; i < 10 && cursor !== null; i++) {
      const { body }: { body: { contacts: { id: string }[]; nextCursor: string | null; total: number } } = await get(`/api/directory?limit=3${cursor ? `&cursor=${cursor}` : ''}`, jonas);
      expect(body.total).toBe(7);
      seen.push(...body.contacts.map((c) => c.id));
      cursor = body.nextCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('answers bad queries with 400 and a reason', async () => {
    for (const query of ['limit=0', 'limit=501', 'cursor=bm9wZQ', `q=${'x'.repeat(201)}`, 'unknown=1']) {
      const { status, body } = await get(`/api/directory?${query}`, jonas);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe('BadRequest');
    }
  });

  it('a mapping shows another audience its own groups: IT sees Engineering and IT', async () => {
    const { body } = await get('/api/directory', ethan);
    expect(body.total).toBe(9);
    expect(body.facets.groups.map((g: { name: string }) => g.name)).toEqual(['Engineering', 'IT']);
    expect(namesOf((await get(`/api/directory?group=${ENGINEERING}&q=software`, ethan)).body)).toEqual(['Fatima Zahra', 'Liam Novak', 'Yuki Tanaka']);
    expect(namesOf((await get(`/api/directory?group=${IT}`, ethan)).body)).toEqual(['Ethan Walker', 'Lucas Martin', 'Mia Chen']);
  });

  it('a user in none of the groups gets 403 NoAccess saying whom to ask, and no contact by id', async () => {
    const { status, body } = await get('/api/directory', grace);
    expect(status).toBe(403);
    expect(body.error.code).toBe('NoAccess');
    expect(body.error.message).toMatch(/administrator/);
    const chloe = (await get('/api/directory?q=chloe', jonas)).body.contacts[0].id;
    expect((await get(`/api/directory/${chloe}`, grace)).status).toBe(403);
  });

  it('GET /api/directory/{id}: a visible contact, while one outside the audience is 404 like an unknown id', async () => {
    const chloe = (await get('/api/directory?q=chloe', jonas)).body.contacts[0];
    const one = await get(`/api/directory/${chloe.id}`, jonas);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(chloe);
    const grace_ = (await get('/api/directory?q=grace', ethan)).body.contacts[0];
    for (const id of [grace_.id, '00000000-0000-4000-8000-000000000000', 'not-a-guid']) {
      const { status, body } = await get(`/api/directory/${id}`, jonas);
      expect(status, id).toBe(404);
      expect(body.error.code).toBe('ContactNotFound');
      expect(JSON.stringify(body)).not.toContain('Grace');
    }
  });

  it('GET /api/directory/{id}/photo: the image with a validator, 304 when unchanged, 404 without photo or outside the audience', async () => {
    const { body } = await get('/api/directory', jonas);
    const withPhoto = body.contacts.find((c: { hasPhoto: boolean }) => c.hasPhoto);
    const without = body.contacts.find((c: { hasPhoto: boolean }) => !c.hasPhoto);
    const photo = await s.call('GET', `/api/directory/${withPhoto.id}/photo`, jonas);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('cache-control')).toBe('private, max-age=300');
    const bytes = Buffer.from(await photo.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const again = await fetch(`${s.base}/api/directory/${withPhoto.id}/photo`, { headers: { authorization: `Bearer ${jonas}`, 'if-none-match': photo.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await s.call('GET', `/api/directory/${without.id}/photo`, jonas)).status).toBe(404);
    const amelia = (await get('/api/directory?q=amelia', ethan)).body.contacts[0]; // not visible to IT either
    expect(amelia).toBeUndefined();
    const ethanOwnPhoto = (await get('/api/directory?q=ethan', ethan)).body.contacts[0];
    expect((await s.call('GET', `/api/directory/${ethanOwnPhoto.id}/photo`, jonas)).status).toBe(404);
  });

  it('follows policy changes at once: narrowing Sales to Sales EU shrinks the list on the next request', async () => {
    await s.setPolicy(CONTOSO_TENANT_ID, { version: 1, groups: [SALES_EU], mappings: [{ audience: IT, visible: [ENGINEERING, IT] }], hiddenFields: [] });
    const { body } = await get('/api/directory', jonas);
    expect(namesOf(body)).toEqual(['Chloé Durand', 'Jonas Becker', 'Oliver Bennett', 'Sofia Rossi']);
    expect(body.contacts.find((c: { displayName: string }) => c.displayName === 'Jonas Becker').mobilePhone).toBe('+49 151 2345 6789');
  });

  it('follows directory changes after a sync round: the view refreshes in the background and then shows them', async () => {
    const chloe = (await get('/api/directory?q=chloe', jonas)).body.contacts[0];
    const patched = await fetch(`${s.dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}/users/${chloe.id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobTitle: 'Head of Sales France' }),
    });
    expect(patched.status).toBe(200);
    await s.sync(CONTOSO_TENANT_ID);
    let title: string | undefined;
    for (let i = 0; i < 100 && title !== 'Head of Sales France'; i++) {
      const { status, body } = await get(`/api/directory/${chloe.id}`, jonas);
      expect(status).toBe(200);
      title = body.jobTitle;
      if (title !== 'Head of Sales France') await new Promise((r) => setTimeout(r, 20));
    }
    expect(title).toBe('Head of Sales France');
    expect(namesOf((await get('/api/directory?q=head%20france', jonas)).body)).toEqual(['Chloé Durand']);
  });

  it('isolates tenants: a Fabrikam user (no consent, no policy) sees nothing of Contoso', async () => {
    const kofi = await s.ssoToken(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example');
    const chloe = (await get('/api/directory?q=chloe', jonas)).body.contacts[0];
    for (const path of ['/api/directory', `/api/directory/${chloe.id}`, `/api/directory/${chloe.id}/photo`]) {
      const res = await s.call('GET', path, kofi);
      expect(res.status, path).toBe(403);
      expect(await res.text()).not.toMatch(/Chlo|contoso/);
    }
  });
});
