import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningKeys } from '../../src/dev-tenant/signing-keys.js';
import { TokenService } from '../../src/dev-tenant/tokens.js';
import type {
  AdminAuditResponse,
  AdminGroupsResponse,
  AdminPolicyPreview,
  AdminPolicyResponse,
  AdminPolicySaved,
  AdminSyncResponse,
  ApiError,
} from '../../src/server/tab-api-types.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, TEAMS_WEB_CLIENT_ID, TEST_APP } from '../helpers/dev-tenant.js';
import { startTabApiServer, type TabApiServer } from '../helpers/tab-api-server.js';

// Contoso's seeded groups (src/dev-tenant/sample-organisation.ts).
const ALL_EMPLOYEES = 'c9000001-5eed-4000-8000-000000000001';
const EXECUTIVES = 'c9000002-5eed-4000-8000-000000000002';
const SALES = 'c9000003-5eed-4000-8000-000000000003';
const SALES_EU = 'c9000004-5eed-4000-8000-000000000004';
const SALES_NA = 'c9000005-5eed-4000-8000-000000000005';
const MARKETING = 'c900000a-5eed-4000-8000-00000000000a';

/** docs/examples/contoso-policy.json: Sales sees Sales, Executives also see Sales EU and NA, mobiles hidden. */
const EXAMPLE_POLICY = {
  version: 1,
  groups: [SALES],
  mappings: [{ audience: EXECUTIVES, visible: [SALES_EU, SALES_NA] }],
  exclude: { disabledAccounts: true, guests: true, roomsAndSharedMailboxes: true, hiddenFromAddressLists: true },
  hiddenFields: ['mobilePhone'],
};

const ROUTES: [method: string, path: string, body?: unknown][] = [
  ['GET', '/api/admin/groups'],
  ['GET', '/api/admin/policy'],
  ['PUT', '/api/admin/policy', { policy: EXAMPLE_POLICY, version: 0 }],
  ['POST', '/api/admin/policy/preview', { policy: EXAMPLE_POLICY }],
  ['GET', '/api/admin/sync'],
  ['POST', '/api/admin/sync'],
  ['GET', '/api/admin/audit'],
];

describe('admin API: groups, policy, preview, sync health, sync now, audit', () => {
  let s: TabApiServer;
  let admin: string;
  let plain: string;
  let fabrikamAdmin: string;

  const json = async <T>(res: Response, status: number): Promise<T> => {
    const body = (await res.json()) as T;
    expect(res.status, JSON.stringify(body)).toBe(status);
    return body;
  };
  const error = (res: Response, status: number) => json<ApiError>(res, status).then((b) => b.error);
  const waitForIdle = async (token: string) => {
    for (let i = 0; i < 400; i++) {
      const health = await json<AdminSyncResponse>(await s.call('GET', '/api/admin/sync', token), 200);
      if (!health.running) return health;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('sync still running');
  };

  beforeAll(async () => {
    s = await startTabApiServer();
    [admin, plain, fabrikamAdmin] = await Promise.all([
      s.ssoToken(CONTOSO_TENANT_ID, 'ethan.walker@contoso.example'),
      s.ssoToken(CONTOSO_TENANT_ID, 'grace.kim@contoso.example'),
      s.ssoToken(FABRIKAM_TENANT_ID, 'nora.lindqvist@fabrikam.example'),
    ]);
    // The administrator's first visit stores the grant and starts the first round; wait for a full directory.
    expect((await s.call('GET', '/api/me', admin)).status).toBe(200);
    await s.sync(CONTOSO_TENANT_ID);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('refuses every admin route without a token, and with a forged one (401)', async () => {
    const tenant = s.dev.registry.findTenant(CONTOSO_TENANT_ID)!;
    const forged = await new TokenService(await SigningKeys.create(), s.dev.baseUrl).appAccessToken({
      tenant, user: tenant.directory.getUser('ethan.walker@contoso.example')!, client: s.dev.registry.apps.get(TEAMS_WEB_CLIENT_ID)!,
      resource: s.dev.registry.apps.get(TEST_APP.clientId)!, scopes: ['access_as_user'], roles: ['Switchboard.Admin'],
    });
    for (const [method, path, body] of ROUTES) {
      for (const token of [undefined, forged]) {
        const res = await s.call(method, path, token, body);
        expect(res.headers.get('www-authenticate'), `${method} ${path}`).toBe('Bearer error="invalid_token"');
        expect((await error(res, 401)).code).toBe('Unauthorized');
      }
    }
  });

  it('answers 403 Forbidden to a signed-in user who is not an administrator, on every admin route, changing nothing', async () => {
    for (const [method, path, body] of ROUTES) {
      expect(await error(await s.call(method, path, plain, body), 403), `${method} ${path}`).toMatchObject({ code: 'Forbidden' });
    }
    expect((await s.store.audit.list(CONTOSO_TENANT_ID)).length).toBe(0);
    const policy = await json<AdminPolicyResponse>(await s.call('GET', '/api/admin/policy', admin), 200);
    expect(policy.version).toBe(0);
  });

  it('GET /api/admin/groups: the tenant’s groups A–Z with transitive user counts; searches name words and mail, case and accent blind', async () => {
    const all = await json<AdminGroupsResponse>(await s.call('GET', '/api/admin/groups', admin), 200);
    expect(all.groups.map((g) => g.displayName)).toEqual(['All Employees', 'Engineering', 'Executives', 'Finance', 'Human Resources', 'IT', 'Marketing', 'Sales', 'Sales EU', 'Sales NA']);
    const byName = new Map(all.groups.map((g) => [g.displayName, g]));
    // Nested: All Employees holds every department group but Marketing; Sales holds Sales EU and NA.
    expect(byName.get('All Employees')).toEqual({ id: ALL_EMPLOYEES, displayName: 'All Employees', description: 'Everyone at Contoso', mail: null, securityEnabled: true, unified: false, userCount: 27 });
    expect(byName.get('Sales')!.userCount).toBe(8);
    expect(byName.get('Marketing')).toMatchObject({ id: MARKETING, unified: true, securityEnabled: false, mail: 'marketing@contoso.example', userCount: 6 });

    const names = async (query: string) => (await json<AdminGroupsResponse>(await s.call('GET', `/api/admin/groups?${query}`, admin), 200)).groups.map((g) => g.displayName);
    expect(await names('search=sal')).toEqual(['Sales', 'Sales EU', 'Sales NA']);
    expect(await names('search=SALES%20eu')).toEqual(['Sales EU']);
    expect(await names('search=%C3%89XEC')).toEqual(['Executives']); // "ÉXEC"
    expect(await names('search=resources')).toEqual(['Human Resources']);
    expect(await names('search=marketing%40contoso')).toEqual(['Marketing']);
    expect(await names(`search=${SALES_NA.toUpperCase()}`)).toEqual(['Sales NA']);
    expect(await names('search=ales')).toEqual([]); // word starts only
    expect(await names('limit=2')).toEqual(['All Employees', 'Engineering']);
    for (const bad of ['limit=0', 'limit=201', 'limit=ten', 'limit=1&limit=2', `search=${'x'.repeat(201)}`]) {
      expect((await error(await s.call('GET', `/api/admin/groups?${bad}`, admin), 400)).code, bad).toBe('BadRequest');
    }
    expect((await error(await s.call('GET', '/api/admin/groups?limit=500', admin), 400)).message).toMatch(/limit must be a whole number from 1 to 200/);
  });

  it('GET /api/admin/policy: the default policy at version 0 until someone saves, with the fields the editor offers', async () => {
    const body = await json<AdminPolicyResponse>(await s.call('GET', '/api/admin/policy', admin), 200);
    expect(body).toMatchObject({ version: 0, policy: { version: 1, groups: [], mappings: [], hiddenFields: [] }, groupNames: {} });
    expect(body.fields.all).toContain('displayName');
    expect(body.fields.hideable).toContain('mobilePhone');
    expect(body.fields.hideable).not.toContain('displayName');
  });

  it('refuses an invalid policy with 400 InvalidPolicy listing every issue, and a malformed envelope with 400 BadRequest', async () => {
    const bad = { ...EXAMPLE_POLICY, groups: ['not-a-group', SALES], hiddenFields: ['displayName'], colour: 'blue' };
    for (const [method, path, body] of [['PUT', '/api/admin/policy', { policy: bad, version: 0 }], ['POST', '/api/admin/policy/preview', { policy: bad }]] as const) {
      const err = await error(await s.call(method, path, admin, body), 400);
      expect(err.code).toBe('InvalidPolicy');
      expect(err.issues!.map((i) => i.path).sort()).toEqual(['colour', 'groups[0]', 'hiddenFields[0]']);
    }
    // A well-formed id that the directory does not hold.
    const unknown = { ...EXAMPLE_POLICY, mappings: [{ audience: EXECUTIVES, visible: ['0f8fad5b-d9cb-469f-a165-70867728950e'] }] };
    const err = await error(await s.call('PUT', '/api/admin/policy', admin, { policy: unknown, version: 0 }), 400);
    expect(err).toMatchObject({ code: 'InvalidPolicy', issues: [{ path: 'mappings[0].visible[0]', message: expect.stringMatching(/does not exist in the directory/) }] });

    for (const body of [undefined, '[]', { version: 0 }, { policy: EXAMPLE_POLICY }, { policy: EXAMPLE_POLICY, version: 'one' }, { policy: EXAMPLE_POLICY, version: 0, force: true }]) {
      const e = await error(await s.call('PUT', '/api/admin/policy', admin, body), 400);
      expect(e.code, JSON.stringify(body)).toBe('BadRequest');
      expect(e.issues).toBeUndefined();
    }
    expect((await error(await s.call('POST', '/api/admin/policy/preview', admin, {}), 400)).message).toMatch(/policy is required/);
    expect((await error(await s.call('PUT', '/api/admin/policy', admin, '{"policy":'), 400)).code).toBe('BadRequest');
    expect((await s.store.audit.list(CONTOSO_TENANT_ID)).length).toBe(0);
  });

  it('previews a policy, saves it (audited, applied), and the preview’s figures are what the sync then holds; a stale version is 409', async () => {
    const preview = await json<AdminPolicyPreview>(await s.call('POST', '/api/admin/policy/preview', admin, { policy: EXAMPLE_POLICY }), 200);
    // Sales: 8 users, Pat's account disabled (neither receives nor is shown). Executives: 3 officers and Dana.
    expect(preview.usersReceiving).toBe(11);
    expect(preview.contactsPerUser).toEqual({ min: 7, median: 7, max: 7 });
    expect(preview.audiences.map((a) => [a.visibleGroups, a.users, a.contacts])).toEqual([
      [[SALES], 7, 7],
      [[SALES_EU, SALES_NA], 4, 7],
    ]);
    expect(preview.groupNames).toEqual({ [SALES]: 'Sales', [EXECUTIVES]: 'Executives', [SALES_EU]: 'Sales EU', [SALES_NA]: 'Sales NA' });
    expect(preview.changes).toEqual([
      `added group Sales (${SALES})`,
      `added mapping: members of Executives (${EXECUTIVES}) see Sales EU (${SALES_EU}), Sales NA (${SALES_NA})`,
      'mobilePhone hidden',
    ]);
    // A preview saves nothing.
    expect((await json<AdminPolicyResponse>(await s.call('GET', '/api/admin/policy', admin), 200)).version).toBe(0);

    const saved = await json<AdminPolicySaved>(await s.call('PUT', '/api/admin/policy', admin, { policy: EXAMPLE_POLICY, version: 0 }), 200);
    expect(saved).toEqual({ policy: EXAMPLE_POLICY, version: 1, changes: preview.changes });
    await s.sync(CONTOSO_TENANT_ID);

    const feed = new FeedRepository(s.store.db);
    const userAudiences = await feed.userAudiences(CONTOSO_TENANT_ID);
    expect(userAudiences.size).toBe(preview.usersReceiving);
    const stored = new Map((await feed.audiences(CONTOSO_TENANT_ID)).map((a) => [a.key, a.id]));
    for (const a of preview.audiences) {
      const id = stored.get(a.key)!;
      expect(id, a.key).toBeDefined();
      expect([...userAudiences.values()].filter((x) => x === id).length).toBe(a.users);
      expect((await feed.audienceContacts(id)).size).toBe(a.contacts);
    }
    // The non-admin's view follows: Grace (Engineering) is in no configured group.
    expect((await json<{ receivesContacts: boolean }>(await s.call('GET', '/api/me', plain), 200)).receivesContacts).toBe(false);

    const stale = await error(await s.call('PUT', '/api/admin/policy', admin, { policy: { ...EXAMPLE_POLICY, hiddenFields: [] }, version: 0 }), 409);
    expect(stale.code).toBe('PolicyConflict');
    expect(stale.message).toMatch(/version 1/);

    const now = await json<AdminPolicyResponse>(await s.call('GET', '/api/admin/policy', admin), 200);
    expect(now).toMatchObject({ version: 1, policy: EXAMPLE_POLICY, groupNames: preview.groupNames });
    // Previewing the saved policy again: no changes.
    expect((await json<AdminPolicyPreview>(await s.call('POST', '/api/admin/policy/preview', admin, { policy: EXAMPLE_POLICY }), 200)).changes).toEqual([]);
  });

  it('GET /api/admin/audit: the policy change with who and the readable changes, newest first, paged by before', async () => {
    const edit = { ...EXAMPLE_POLICY, groups: [SALES, MARKETING], hiddenFields: [] };
    const saved = await json<AdminPolicySaved>(await s.call('PUT', '/api/admin/policy', admin, { policy: edit, version: 1 }), 200);
    expect(saved).toMatchObject({ version: 2, changes: [`added group Marketing (${MARKETING})`, 'mobilePhone shown'] });

    const audit = await json<AdminAuditResponse>(await s.call('GET', '/api/admin/audit', admin), 200);
    expect(audit.nextBefore).toBeNull();
    expect(audit.entries.map((e) => e.action)).toEqual(['policy.update', 'policy.update']);
    const [latest, first] = audit.entries;
    expect(latest).toMatchObject({ actor: { name: 'Ethan Walker' }, target: 'policy', changes: saved.changes });
    expect(first!.changes).toEqual(expect.arrayContaining(['mobilePhone hidden', `added group Sales (${SALES})`]));
    expect(latest!.actor.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(latest!.at)).toBeGreaterThan(Date.now() - 60_000);

    const page1 = await json<AdminAuditResponse>(await s.call('GET', '/api/admin/audit?limit=1', admin), 200);
    expect(page1.entries.map((e) => e.id)).toEqual([latest!.id]);
    expect(page1.nextBefore).toBe(latest!.id);
    const page2 = await json<AdminAuditResponse>(await s.call('GET', `/api/admin/audit?limit=1&before=${page1.nextBefore}`, admin), 200);
    expect(page2).toEqual({ entries: [first], nextBefore: null });
    // A full page that is also the last: no next page.
    expect((await json<AdminAuditResponse>(await s.call('GET', '/api/admin/audit?limit=2', admin), 200)).nextBefore).toBeNull();
    for (const bad of ['limit=0', 'limit=501', 'limit=x', 'before=-1', 'before=0', 'before=abc']) {
      expect((await error(await s.call('GET', `/api/admin/audit?${bad}`, admin), 400)).code, bad).toBe('BadRequest');
    }
  });

  it('GET /api/admin/sync: consent, whose grant, recent runs, counts', async () => {
    const health = await json<AdminSyncResponse>(await s.call('GET', '/api/admin/sync', admin), 200);
    expect(health).toMatchObject({
      consent: 'granted',
      syncAccount: { name: 'Ethan Walker', isAdmin: true, lapsed: null },
      running: false,
      directory: { users: 36, groups: 10 },
      devices: { users: 0, devices: 0 },
      missingGroups: [],
    });
    expect(health.runs.length).toBeGreaterThanOrEqual(3);
    const oldest = health.runs.at(-1)!;
    expect(oldest).toMatchObject({ trigger: 'first-sign-in', mode: 'full', status: 'succeeded', error: null });
    expect(oldest.durationMs).toBe(Date.parse(oldest.finishedAt!) - Date.parse(oldest.startedAt));
    expect(oldest.graphRequests).toBeGreaterThan(0);
    expect(health.runs[0]!.id).toBeGreaterThan(oldest.id);
  });

  it('POST /api/admin/sync: 202 and the run is listed at once; 409 SyncRunning while it runs; audited', async () => {
    s.dev.faults.replace({ latencyMs: 150 });
    try {
      const before = (await json<AdminSyncResponse>(await s.call('GET', '/api/admin/sync', admin), 200)).runs[0]!.id;
      expect(await json(await s.call('POST', '/api/admin/sync', admin), 202)).toEqual({ started: true });
      const during = await json<AdminSyncResponse>(await s.call('GET', '/api/admin/sync', admin), 200);
      expect(during.running).toBe(true);
      expect(during.runs[0]).toMatchObject({ trigger: 'manual', status: 'running', finishedAt: null, durationMs: null });
      expect(during.runs[0]!.id).toBeGreaterThan(before);
      const busy = await error(await s.call('POST', '/api/admin/sync', admin), 409);
      expect(busy.code).toBe('SyncRunning');
    } finally {
      s.dev.faults.reset();
    }
    const after = await waitForIdle(admin);
    expect(after.runs[0]).toMatchObject({ trigger: 'manual', status: 'succeeded' });
    const audit = await json<AdminAuditResponse>(await s.call('GET', '/api/admin/audit?limit=1', admin), 200);
    expect(audit.entries[0]).toMatchObject({ action: 'sync.run', actor: { name: 'Ethan Walker' }, changes: [`started a sync round (run ${after.runs[0]!.id})`] });
  });

  it('keeps tenants apart: Fabrikam’s administrator sees none of Contoso’s groups, policy, runs or audit', async () => {
    expect(await json(await s.call('GET', '/api/admin/groups?search=sales', fabrikamAdmin), 200)).toEqual({ groups: [] });
    expect(await json(await s.call('GET', '/api/admin/groups', fabrikamAdmin), 200)).toEqual({ groups: [] });
    expect(await json(await s.call('GET', '/api/admin/audit', fabrikamAdmin), 200)).toEqual({ entries: [], nextBefore: null });
    expect(await json<AdminPolicyResponse>(await s.call('GET', '/api/admin/policy', fabrikamAdmin), 200)).toMatchObject({ version: 0, policy: { groups: [] }, groupNames: {} });
    expect(await json<AdminSyncResponse>(await s.call('GET', '/api/admin/sync', fabrikamAdmin), 200)).toMatchObject({
      consent: 'unknown', syncAccount: null, running: false, runs: [], directory: { users: 0, groups: 0 }, devices: { users: 0, devices: 0 }, missingGroups: [],
    });
    // Contoso's group ids mean nothing in Fabrikam: refused, and Contoso's policy is untouched.
    const err = await error(await s.call('PUT', '/api/admin/policy', fabrikamAdmin, { policy: EXAMPLE_POLICY, version: 0 }), 400);
    expect(err.code).toBe('InvalidPolicy');
    expect((await json<AdminPolicyPreview>(await s.call('POST', '/api/admin/policy/preview', fabrikamAdmin, { policy: { version: 1, groups: [] } }), 200)).usersReceiving).toBe(0);
    expect((await json<AdminPolicyResponse>(await s.call('GET', '/api/admin/policy', admin), 200)).version).toBe(2);
    expect((await s.store.audit.list(FABRIKAM_TENANT_ID)).length).toBe(0);
  });

  it('GET /api/admin/sync names policy groups that were deleted from the directory', async () => {
    s.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.deleteGroup(MARKETING);
    await s.sync(CONTOSO_TENANT_ID);
    const health = await json<AdminSyncResponse>(await s.call('GET', '/api/admin/sync', admin), 200);
    expect(health.missingGroups).toEqual([MARKETING]);
    expect(health.directory.groups).toBe(9);
    const policy = await json<AdminPolicyResponse>(await s.call('GET', '/api/admin/policy', admin), 200);
    expect(policy.groupNames[MARKETING]).toBeNull();
  });
});
