import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multistatus } from '../carddav/helpers.js';
import { documentedOperations } from '../helpers/openapi.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, GROUPS, identifyingStrings, leaked, startProduct, TEST_APP, type DeviceLogin, type Product } from './kit/product.js';
import { timed } from './kit/report.js';

const MULTIGET = (hrefs: string[]) =>
  `<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop>${hrefs.map((h) => `<d:href>${h}</d:href>`).join('')}</card:addressbook-multiget>`;
const SYNC = (token: string) =>
  `<d:sync-collection xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/><card:address-data/></d:prop></d:sync-collection>`;
const QUERY = (text: string) =>
  `<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter><card:prop-filter name="FN"><card:text-match collation="i;unicode-casemap" match-type="contains">${text}</card:text-match></card:prop-filter></card:filter></card:addressbook-query>`;

/**
 * Part 2: isolation. Two tenants with data (Fabrikam is given consent for this), users and devices in
 * both, and every way of asking for the other side's data: by id, by search, through the admin APIs,
 * through CardDAV paths, multigets and sync tokens of the other tenant; then non-administrators on every
 * admin API, and users asking for colleagues outside their visible set. Every answer is checked for
 * what it must not contain, not only for its status.
 */
describe('resilience: tenant and visibility isolation', () => {
  let p: Product;
  let ethan: string; // Contoso administrator (IT: sees IT)
  let jonas: string; // Contoso, Sales EU: sees Sales
  let nora: string; // Fabrikam administrator
  let kofi: string; // Fabrikam user
  let jonasDevice: DeviceLogin;
  let kofiDevice: DeviceLogin;
  let fabrikamSecrets: string[];
  let contosoSecrets: string[];
  const id = (tenant: string, upn: string) => p.userId(tenant, upn);

  beforeAll(async () => {
    p = await startProduct();
    ethan = await p.signIn(CONTOSO_TENANT_ID, 'ethan.walker@contoso.example');
    await p.sync(CONTOSO_TENANT_ID);
    await p.setPolicy(CONTOSO_TENANT_ID, { version: 1, groups: [GROUPS.sales, GROUPS.it], mappings: [], hiddenFields: ['mobilePhone'] });
    // Fabrikam has no consent in the sample organisation: its administrator grants it, as in the Entra admin centre.
    await p.control('POST', `/tenants/${FABRIKAM_TENANT_ID}/consent`, { clientId: TEST_APP.clientId });
    nora = await p.signIn(FABRIKAM_TENANT_ID, 'nora.lindqvist@fabrikam.example');
    await p.sync(FABRIKAM_TENANT_ID);
    // Fabrikam's policy through its own admin API, so Fabrikam has an audit trail to (not) leak.
    const fabPolicy = (await (await p.call('GET', '/api/admin/policy', nora)).json()) as { policy: object; version: number };
    expect((await p.call('PUT', '/api/admin/policy', nora, { policy: { ...fabPolicy.policy, groups: [GROUPS.fabrikamStaff] }, version: fabPolicy.version })).status).toBe(200);
    jonas = await p.ssoToken(CONTOSO_TENANT_ID, 'jonas.becker@contoso.example');
    kofi = await p.ssoToken(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example');
    jonasDevice = await p.addDevice(CONTOSO_TENANT_ID, 'jonas.becker@contoso.example');
    kofiDevice = await p.addDevice(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example');
    fabrikamSecrets = [...identifyingStrings(p.dev, FABRIKAM_TENANT_ID), GROUPS.fabrikamStaff, 'Fabrikam Staff', kofiDevice.username];
    contosoSecrets = [...identifyingStrings(p.dev, CONTOSO_TENANT_ID), jonasDevice.username];
  });
  afterAll(() => p?.stop());

  /** Status and text of a tab API call, the text checked for the other side's strings. */
  const ask = async (method: string, path: string, token: string, mustNotContain: string[], body?: unknown) => {
    const res = await p.call(method, path, token, body);
    const text = await res.text();
    expect(leaked(text, mustNotContain, `${path} ${JSON.stringify(body ?? '')}`), `${method} ${path} → ${res.status}: ${text.slice(0, 300)}`).toEqual([]);
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };

  it('the controls: each side sees its own data, so the refusals below are about the other side', async () => {
    const own = await ask('GET', `/api/directory/${id(CONTOSO_TENANT_ID, 'marcus.lee@contoso.example')}`, jonas, fabrikamSecrets);
    expect(own.status).toBe(200);
    const fab = await ask('GET', '/api/directory', kofi, contosoSecrets);
    expect(fab.status).toBe(200);
    expect(fab.text).toContain('Nora Lindqvist');
    expect((await p.dav('PROPFIND', kofiDevice.book, { device: kofiDevice, depth: '1' })).status).toBe(207);
  });

  it('a user of one tenant cannot reach the other tenant\'s contacts by id, search or filter (both directions)', async () => {
    const probes: [string, string, string[]][] = [
      [jonas, `/api/directory/${id(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example')}`, fabrikamSecrets],
      [jonas, `/api/directory/${id(FABRIKAM_TENANT_ID, 'nora.lindqvist@fabrikam.example')}/photo`, fabrikamSecrets],
      [kofi, `/api/directory/${id(CONTOSO_TENANT_ID, 'jonas.becker@contoso.example')}`, contosoSecrets],
      [kofi, `/api/directory/${id(CONTOSO_TENANT_ID, 'amelia.hart@contoso.example')}/photo`, contosoSecrets],
    ];
    const searches: [string, string, string[]][] = [
      [jonas, '/api/directory?q=kofi', fabrikamSecrets],
      [jonas, '/api/directory?q=fabrikam', fabrikamSecrets],
      [jonas, `/api/directory?group=${GROUPS.fabrikamStaff}`, fabrikamSecrets],
      [ethan, '/api/directory?q=nora', fabrikamSecrets],
      [kofi, '/api/directory?q=jonas', contosoSecrets],
      [kofi, `/api/directory?group=${GROUPS.sales}`, contosoSecrets],
      [kofi, '/api/directory?department=Sales', contosoSecrets],
    ];
    await timed('isolation', 'cross-tenant contacts by id, search and filter', async () => {
      for (const [token, path, secrets] of probes) expect((await ask('GET', path, token, secrets)).status, path).toBe(404);
      for (const [token, path, secrets] of searches) {
        const r = await ask('GET', path, token, secrets);
        expect(r.status, path).toBe(200);
        expect(r.json().total, path).toBe(0);
      }
      // Parameters naming the other tenant are refused, not obeyed.
      expect((await ask('GET', `/api/directory?tenant=${FABRIKAM_TENANT_ID}`, jonas, fabrikamSecrets)).status).toBe(400);
      return { tried: probes.length + searches.length + 1 };
    });
  });

  it('a user cannot see, revoke or count the other tenant\'s devices; its administrator neither', async () => {
    await timed('isolation', 'cross-tenant devices (user and administrator)', async () => {
      expect((await ask('DELETE', `/api/devices/${kofiDevice.username}`, jonas, fabrikamSecrets)).status).toBe(404);
      const mine = await ask('GET', '/api/devices', jonas, fabrikamSecrets);
      expect(mine.status).toBe(200);
      const counts = await ask('GET', '/api/admin/devices', ethan, fabrikamSecrets);
      expect(counts.status).toBe(200);
      expect((counts.json().users as { userId: string }[]).map((u) => u.userId)).toEqual([id(CONTOSO_TENANT_ID, 'jonas.becker@contoso.example')]);
      const revoke = await ask('DELETE', `/api/admin/devices?userId=${id(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example')}`, ethan, []);
      expect(revoke.status).toBe(200);
      expect(revoke.json().revoked).toBe(0);
      // Kofi's device is untouched.
      expect((await p.dav('PROPFIND', kofiDevice.book, { device: kofiDevice, depth: '0' })).status).toBe(207);
      return { tried: 4 };
    });
  });

  it('an administrator sees only their own tenant\'s policy, groups, preview, sync history and audit, whatever the request names', async () => {
    const fabRuns = (await p.store.db.selectFrom('sync_runs').select('id').where('tenant_id', '=', FABRIKAM_TENANT_ID).execute()).map((r) => r.id);
    const fabAudit = (await p.store.db.selectFrom('audit_log').select('id').where('tenant_id', '=', FABRIKAM_TENANT_ID).execute()).map((r) => Number(r.id));
    expect(fabRuns.length).toBeGreaterThan(0);
    expect(fabAudit.length).toBeGreaterThan(0);
    const fabPolicyBefore = await p.store.db.selectFrom('tenant_policies').selectAll().where('tenant_id', '=', FABRIKAM_TENANT_ID).executeTakeFirstOrThrow();
    await timed('isolation', 'cross-tenant policy, groups, preview, sync and audit (administrator)', async () => {
      const policy = await ask('GET', `/api/admin/policy?tenantId=${FABRIKAM_TENANT_ID}`, ethan, fabrikamSecrets);
      expect(policy.status).toBe(200);
      expect(policy.text).toContain(GROUPS.sales);
      const groups = await ask('GET', '/api/admin/groups?search=Fabrikam', ethan, fabrikamSecrets);
      expect(groups.json().groups).toEqual([]);
      const preview = await ask('POST', '/api/admin/policy/preview', ethan, fabrikamSecrets, { policy: { version: 1, groups: [GROUPS.fabrikamStaff] } });
      expect([200, 400]).toContain(preview.status);
      const sync = await ask('GET', '/api/admin/sync', ethan, fabrikamSecrets);
      const runIds = (sync.json().runs as { id: number }[]).map((r) => r.id);
      expect(runIds.length).toBeGreaterThan(0);
      expect(runIds.filter((r) => fabRuns.includes(r))).toEqual([]);
      expect((sync.json().directory as { users: number }).users).toBe([...p.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.listUsers()].length);
      // Paging the audit log from above Fabrikam's newest entry still lists only Contoso's.
      const audit = await ask('GET', `/api/admin/audit?before=${Math.max(...fabAudit) + 1}&limit=500`, ethan, [...fabrikamSecrets, 'Nora']);
      expect(audit.status).toBe(200);
      expect((audit.json().entries as { id: number }[]).map((e) => e.id).filter((e) => fabAudit.includes(e))).toEqual([]);
      // Saving a policy that names Fabrikam's group changes Contoso's policy only, and shows nobody from Fabrikam.
      const current = (await (await p.call('GET', '/api/admin/policy', ethan)).json()) as { policy: { groups: string[] }; version: number };
      const saved = await ask('PUT', '/api/admin/policy', ethan, fabrikamSecrets, { policy: { ...current.policy, groups: [...current.policy.groups, GROUPS.fabrikamStaff] }, version: current.version });
      expect([200, 400]).toContain(saved.status);
      await p.sync(CONTOSO_TENANT_ID);
      expect((await ask('GET', '/api/directory?limit=500', jonas, fabrikamSecrets)).status).toBe(200);
      expect((await ask('GET', '/api/directory?limit=500', ethan, fabrikamSecrets)).status).toBe(200);
      return { tried: 8 };
    });
    expect(await p.store.db.selectFrom('tenant_policies').selectAll().where('tenant_id', '=', FABRIKAM_TENANT_ID).executeTakeFirstOrThrow()).toEqual(fabPolicyBefore);
  });

  it('a device of one tenant cannot read the other tenant\'s address book: paths, cards, multiget, query and sync tokens', async () => {
    const kofiCard = `${id(FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example')}.vcf`;
    const noraCard = `${id(FABRIKAM_TENANT_ID, 'nora.lindqvist@fabrikam.example')}.vcf`;
    const ownCard = `${id(CONTOSO_TENANT_ID, 'marcus.lee@contoso.example')}.vcf`;
    const fabAudience = await p.store.db.selectFrom('user_audiences').select('audience_id').where('tenant_id', '=', FABRIKAM_TENANT_ID).executeTakeFirstOrThrow();
    const check = async (res: Response, what: string, echo = '') => {
      const text = await res.text();
      expect(leaked(text, fabrikamSecrets, echo), `${what} → ${res.status}: ${text.slice(0, 300)}`).toEqual([]);
      return { status: res.status, text };
    };
    let tried = 0;
    await timed('isolation', 'cross-tenant CardDAV (paths, GET, multiget, query, foreign sync token)', async () => {
      for (const path of [kofiDevice.book, `/dav/addressbooks/${kofiDevice.username}/`, `/dav/principals/${kofiDevice.username}/`, `${kofiDevice.book}${kofiCard}`]) {
        for (const method of ['PROPFIND', 'GET']) {
          tried++;
          expect((await check(await p.dav(method, path, { device: jonasDevice, depth: '1' }), `${method} ${path}`)).status, `${method} ${path}`).toBe(404);
        }
        tried++;
        expect((await check(await p.dav('REPORT', path, { device: jonasDevice, depth: '1', body: SYNC('') }), `REPORT ${path}`)).status).toBe(404);
      }
      tried++;
      expect((await check(await p.dav('GET', `${jonasDevice.book}${kofiCard}`, { device: jonasDevice }), 'GET foreign card in own book')).status).toBe(404);
      // A multiget naming the other tenant's cards, in this book and in theirs, next to a card of its own.
      const mgBody = MULTIGET([`${jonasDevice.book}${kofiCard}`, `${kofiDevice.book}${noraCard}`, `${jonasDevice.book}${ownCard}`]);
      const mg = await p.dav('REPORT', jonasDevice.book, { device: jonasDevice, depth: '1', body: mgBody });
      tried++;
      const parsed = await multistatus(mg.clone());
      await check(mg, 'multiget', mgBody);
      expect(parsed.byHref.get(`${jonasDevice.book}${ownCard}`)?.ok.size).toBe(2);
      for (const href of [`${jonasDevice.book}${kofiCard}`, `${kofiDevice.book}${noraCard}`]) expect(parsed.byHref.get(href)?.status, href).toMatch(/404/);
      tried++;
      const query = await check(await p.dav('REPORT', jonasDevice.book, { device: jonasDevice, depth: '1', body: QUERY('Kofi') }), 'addressbook-query');
      expect(query.status).toBe(207);
      expect(query.text).not.toContain('BEGIN:VCARD');
      // A sync token of Fabrikam's audience, from the start of its feed: refused, not answered with its changes.
      tried++;
      const foreign = await check(await p.dav('REPORT', jonasDevice.book, { device: jonasDevice, depth: '1', body: SYNC(`${p.config.publicUrl}/dav/sync/${fabAudience.audience_id}-0`) }), 'foreign sync token');
      expect([400, 403]).toContain(foreign.status);
      expect(foreign.text).toContain('valid-sync-token');
      return { tried };
    });
  });

  it('a non-administrator is refused on every admin API, with no data and no effect', async () => {
    const admin = documentedOperations().filter((op) => op.template.startsWith('/api/admin/'));
    const before = {
      policy: await p.store.db.selectFrom('tenant_policies').selectAll().where('tenant_id', '=', CONTOSO_TENANT_ID).executeTakeFirstOrThrow(),
      audit: (await p.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
      runs: (await p.store.db.selectFrom('sync_runs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
    };
    const users: [string, string][] = [['jonas (receives contacts)', jonas], ['grace (receives none)', await p.ssoToken(CONTOSO_TENANT_ID, 'grace.kim@contoso.example')], ['kofi (other tenant)', kofi]];
    await timed('isolation', `non-administrators × ${admin.length} admin operations`, async () => {
      for (const [who, token] of users) {
        for (const op of admin) {
          const path = op.method === 'DELETE' ? `${op.template}?userId=${jonasDevice.userId}` : op.template;
          const body = op.method === 'PUT' ? { policy: { version: 1, groups: [] }, version: Number(before.policy.version) } : op.method === 'POST' && op.template.endsWith('preview') ? { policy: { version: 1, groups: [GROUPS.engineering] } } : undefined;
          const r = await ask(op.method, path, token, [...contosoSecrets, ...fabrikamSecrets].filter((s) => !s.includes('jonas') && !s.includes('kofi')), body);
          expect(r.status, `${who}: ${op.method} ${op.template}`).toBe(403);
          expect(r.json().error).toMatchObject({ code: 'Forbidden' });
        }
      }
      return { tried: users.length * admin.length };
    });
    expect(await p.store.db.selectFrom('tenant_policies').selectAll().where('tenant_id', '=', CONTOSO_TENANT_ID).executeTakeFirstOrThrow()).toEqual(before.policy);
    expect((await p.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(before.audit);
    expect((await p.store.db.selectFrom('sync_runs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(before.runs);
    expect((await p.dav('PROPFIND', jonasDevice.book, { device: jonasDevice, depth: '0' })).status).toBe(207);
  });

  describe('contacts outside the visible set (same tenant)', () => {
    // Jonas sees Sales. Not: Grace (Engineering), Pat (Sales NA, but a disabled account), Dana (hidden from address lists).
    const hidden = ['grace.kim@contoso.example', 'pat.former@contoso.example', 'dana.quinn@contoso.example'];
    let secrets: string[];
    beforeAll(() => {
      const truth = p.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
      secrets = hidden.flatMap((upn) => {
        const u = truth.getUser(upn)!;
        return [u.id, u.displayName, u.userPrincipalName, ...u.businessPhones, ...(u.mobilePhone ? [u.mobilePhone] : [])];
      });
      // The hidden field: nobody's mobile number may appear anywhere.
      for (const u of truth.listUsers()) if (u.mobilePhone) secrets.push(u.mobilePhone);
    });

    it('by id, in search and filters, in the tab API', async () => {
      const paths = [
        ...hidden.flatMap((upn) => [`/api/directory/${id(CONTOSO_TENANT_ID, upn)}`, `/api/directory/${id(CONTOSO_TENANT_ID, upn)}/photo`]),
        ...['grace', 'kim', 'pat', 'former', 'dana', 'quinn', 'chief of staff'].map((q) => `/api/directory?q=${encodeURIComponent(q)}`),
        '/api/directory?department=Engineering', `/api/directory?group=${GROUPS.engineering}`, `/api/directory?group=${GROUPS.executives}`, '/api/directory?limit=500',
      ];
      await timed('isolation', 'contacts outside the visible set: tab API by id, search, filters', async () => {
        for (const path of paths) {
          const r = await ask('GET', path, jonas, secrets);
          if (path.startsWith('/api/directory/')) expect(r.status, path).toBe(404);
          else expect(r.status, path).toBe(200);
        }
        return { tried: paths.length };
      });
    });

    it('in CardDAV: GET, multiget, query and a full sync-collection', async () => {
      const book = jonasDevice.book;
      const hrefs = hidden.map((upn) => `${book}${id(CONTOSO_TENANT_ID, upn)}.vcf`);
      const own = `${book}${id(CONTOSO_TENANT_ID, 'marcus.lee@contoso.example')}.vcf`;
      const check = async (res: Response, what: string, echo = '') => {
        const text = await res.text();
        expect(leaked(text, secrets, echo), `${what}: ${text.slice(0, 300)}`).toEqual([]);
        return { status: res.status, text };
      };
      await timed('isolation', 'contacts outside the visible set: CardDAV GET, multiget, query, sync', async () => {
        for (const href of hrefs) expect((await check(await p.dav('GET', href, { device: jonasDevice }), href, href)).status).toBe(404);
        const mgBody = MULTIGET([...hrefs, own]);
        const mg = await p.dav('REPORT', book, { device: jonasDevice, depth: '1', body: mgBody });
        const parsed = await multistatus(mg.clone());
        await check(mg, 'multiget', mgBody);
        for (const href of hrefs) expect(parsed.byHref.get(href)?.status, href).toMatch(/404/);
        expect(parsed.byHref.get(own)?.ok.size).toBe(2);
        for (const q of ['Grace', 'Pat', 'Dana']) {
          const r = await check(await p.dav('REPORT', book, { device: jonasDevice, depth: '1', body: QUERY(q) }), `query ${q}`);
          expect(r.text).not.toContain('BEGIN:VCARD');
        }
        const full = await check(await p.dav('REPORT', book, { device: jonasDevice, depth: '1', body: SYNC('') }), 'sync-collection');
        expect(full.status).toBe(207);
        expect(full.text.match(/BEGIN:VCARD/g)).toHaveLength(7);
        // The hidden field is not in any card either.
        expect(full.text).not.toMatch(/TEL;TYPE=CELL/);
        return { tried: hrefs.length + 5 };
      });
    });

    it('a colleague who leaves the visible groups disappears from devices, and one who loses access gets an empty book', async () => {
      const sofia = id(CONTOSO_TENANT_ID, 'sofia.rossi@contoso.example');
      const sofiaDevice = await p.addDevice(CONTOSO_TENANT_ID, 'sofia.rossi@contoso.example');
      const initial = await multistatus(await p.dav('REPORT', jonasDevice.book, { device: jonasDevice, depth: '1', body: SYNC('') }));
      await p.control('DELETE', `/tenants/${CONTOSO_TENANT_ID}/groups/${GROUPS.salesEu}/members/${sofia}`);
      await p.sync(CONTOSO_TENANT_ID);
      const delta = await multistatus(await p.dav('REPORT', jonasDevice.book, { device: jonasDevice, depth: '1', body: SYNC(initial.syncToken!) }));
      expect(delta.byHref.get(`${jonasDevice.book}${sofia}.vcf`)?.status).toMatch(/404/);
      const sofiasBook = await p.dav('REPORT', sofiaDevice.book, { device: sofiaDevice, depth: '1', body: SYNC('') });
      const text = await sofiasBook.text();
      expect(sofiasBook.status).toBe(207);
      expect(text).not.toContain('BEGIN:VCARD');
      expect((await p.call('GET', '/api/directory', await p.ssoToken(CONTOSO_TENANT_ID, 'sofia.rossi@contoso.example'))).status).toBe(403);
    });
  });
});
