import { PageIterator } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticTenant } from '../../src/dev-tenant/synthetic.js';
import { json, startGraph, type GraphHarness } from './graph-harness.js';

describe('dev Graph: paging a 100k-user synthetic tenant', () => {
  let g: GraphHarness;
  let token: string;

  beforeAll(async () => {
    g = await startGraph();
    // How long this takes is a benchmark's business (bench/dev-tenant-start.mjs), not a test's.
    generateSyntheticTenant(g.directory, { users: 100_000, groups: 2_000, seed: 7, domain: 'contoso.test' });
    token = await g.token({ roles: ['User.Read.All', 'GroupMember.Read.All'] });
  }, 60_000);
  afterAll(() => g.close());

  it('the synthetic generator makes 100,000 users and 2,000 groups', () => {
    expect(g.directory.userCount).toBe(100_000);
    expect([...g.directory.listGroups()]).toHaveLength(2_000);
  });

  it('pages through 100,000 users with $top=999: every user once, and every page but the last has an @odata.nextLink (paging)', async () => {
    const client = g.sdk(token);
    const ids = new Set<string>();
    let url: string | undefined = '/users?$top=999&$select=id,displayName';
    let pages = 0;
    let withoutNext = 0;
    while (url) {
      const page: { value: { id: string }[]; '@odata.nextLink'?: string } = await client.api(url).get();
      pages++;
      for (const u of page.value) ids.add(u.id);
      if (!page['@odata.nextLink']) withoutNext++;
      url = page['@odata.nextLink'];
      if (url) expect(page.value).toHaveLength(999);
    }
    expect(ids.size).toBe(100_000);
    expect(pages).toBe(Math.ceil(100_000 / 999));
    expect(withoutNext).toBe(1);
  }, 30_000);

  it('without $top a page holds 100 users, and the SDK PageIterator walks a filtered list to the end (paging)', async () => {
    const client = g.sdk(token);
    const first = await client.api('/users').filter("department eq 'Legal'").select(['id', 'department']).get();
    expect(first.value).toHaveLength(100);
    let n = 0;
    await new PageIterator(client, first, (u: { department: string }) => (expect(u.department).toBe('Legal'), n++, true)).iterate();
    const expected = [...g.directory.listUsers()].filter((u) => u.department === 'Legal').length;
    expect(n).toBe(expected);
  }, 30_000);

  it('a $skiptoken is opaque and signed: an edited one, or one from another query, is 400', async () => {
    const page = await json(await g.fetch('/users?$top=5', { token }));
    const next: string = page['@odata.nextLink'];
    const edited = next.replace(/\$skiptoken=(.)/, (_m, c: string) => `$skiptoken=${c === 'A' ? 'B' : 'A'}`);
    expect((await g.fetch(edited, { token })).status).toBe(400);
    const skiptoken = new URL(next).searchParams.get('$skiptoken')!;
    expect((await g.fetch(`/users?$top=6&$skiptoken=${encodeURIComponent(skiptoken)}`, { token })).status).toBe(400);
  });

  it('ConsistencyLevel is not carried to later pages: a $search nextLink must be sent with the header again (FIELD-NOTES)', async () => {
    const headers = { ConsistencyLevel: 'eventual' };
    const first = await json(await g.fetch(`/users?$search=${encodeURIComponent('"displayName:ada"')}&$top=10`, { token, headers }));
    expect(first.value).toHaveLength(10);
    expect((await g.fetch(first['@odata.nextLink'], { token })).status).toBe(400);
    expect((await g.fetch(first['@odata.nextLink'], { token, headers })).status).toBe(200);
  });
});
