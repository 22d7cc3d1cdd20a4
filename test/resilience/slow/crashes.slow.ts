import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedBook, figures, judge, parseCopies, type TestPolicy } from '../kit/convergence.js';
import { DavSyncClient } from '../kit/dav-client.js';
import { Deployment, type ServerProcess } from '../kit/deployment.js';
import { FAULT_POLICY } from '../kit/fault-scenario.js';
import { CONTOSO_TENANT_ID, GROUPS } from '../kit/product.js';
import { timed } from '../kit/report.js';
import { VdirsyncerDevice } from '../kit/vdirsyncer.js';

const T = CONTOSO_TENANT_ID;
const ADMIN = 'ethan.walker@contoso.example';
const OWNERS = ['jonas.becker@contoso.example', 'grace.kim@contoso.example', 'amelia.hart@contoso.example', 'ethan.walker@contoso.example'];
const BULK = 700;
const LICENCE = [{ skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', disabledPlans: [] }];

/**
 * Part 5: kill -9 of the built server (dist/server.js) during a first round, a delta round and a
 * policy save, on SQLite and on PostgreSQL; then a restart. After each: the store is consistent (the
 * policy and its audit entry together or not at all, no round left "running", SQLite's integrity
 * check) and every device converges on the dev tenant's truth under the stored policy.
 */
describe.each([
  { store: 'SQLite', postgres: false },
  { store: 'PostgreSQL', postgres: true },
])('resilience: kill -9 of the server and restart ($store)', ({ store, postgres }) => {
  let d: Deployment;
  let server: ServerProcess;
  let admin: string;
  const devices: { userId: string; dav: DavSyncClient; vdir?: VdirsyncerDevice }[] = [];
  const part = 'crashes';

  beforeAll(async () => {
    d = await Deployment.create({ postgres });
    const dir = d.dev.registry.findTenant(T)!.directory;
    for (let i = 0; i < BULK; i++) {
      const u = dir.addUser({ userPrincipalName: `crash${i}@contoso.example`, displayName: `Crash Person ${i}`, mail: `crash${i}@contoso.example`, jobTitle: `Title ${i}`, businessPhones: [`+1 425 555 ${String(i).padStart(4, '0')}`], accountEnabled: true, assignedLicenses: LICENCE });
      dir.addMember(i % 3 === 0 ? GROUPS.engineering : GROUPS.salesEu, u.id);
    }
    server = await d.start('a');
    admin = await d.ssoToken(ADMIN);
  }, 120_000);
  afterAll(() => d?.stop());

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.base}${path}`, { method, headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const usersNextLink = async () => (await d.store.db.selectFrom('sync_state').select('next_link').where('tenant_id', '=', T).where('kind', '=', 'users').executeTakeFirst())?.next_link ?? null;
  const runs = () => d.store.db.selectFrom('sync_runs').selectAll().where('tenant_id', '=', T).orderBy('id', 'asc').execute();
  const storedPolicy = async (): Promise<{ policy: TestPolicy; version: number }> => {
    const row = await d.store.db.selectFrom('tenant_policies').select(['policy_json', 'version']).where('tenant_id', '=', T).executeTakeFirstOrThrow();
    return { policy: JSON.parse(row.policy_json) as TestPolicy, version: row.version };
  };

  /** A manual round through the API, waited for; the scheduler may have started one already (409). */
  const roundAfterRestart = async (): Promise<void> => {
    const before = Math.max(0, ...(await runs()).map((r) => r.id));
    const started = await api('POST', '/api/admin/sync');
    expect([202, 409]).toContain(started.status);
    await d.until('a round after the restart to succeed', async () => (await runs()).find((r) => r.id > before && r.status === 'succeeded'), 120_000);
  };

  /** Consistency checks that need no devices. */
  const storeIsConsistent = async () => {
    if (!postgres) {
      const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(d.store.db);
      expect(check.rows.map((r) => r.integrity_check)).toEqual(['ok']);
    }
    // Every feed row and audience contact belongs to a user the directory holds, or is a removal.
    const orphans = await d.store.db
      .selectFrom('audience_contacts')
      .leftJoin('directory_users', (j) => j.onRef('directory_users.id', '=', 'audience_contacts.contact_id').onRef('directory_users.tenant_id', '=', 'audience_contacts.tenant_id'))
      .select('audience_contacts.contact_id')
      .where('directory_users.id', 'is', null)
      .execute();
    expect(orphans, 'audience contacts without a directory user').toEqual([]);
    // A policy version exists exactly as often as it was audited.
    const audited = await d.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', T).where('action', '=', 'policy.update').executeTakeFirstOrThrow();
    const policy = await d.store.db.selectFrom('tenant_policies').select('version').where('tenant_id', '=', T).executeTakeFirst();
    expect(Number(audited.n), 'policy versions and their audit entries').toBe(policy?.version ?? 0);
  };

  /** Every device syncs and is judged against the truth under the stored policy. */
  const devicesConverge = async (name: string) => {
    const { policy } = await storedPolicy();
    for (const dev of devices) {
      dev.dav.setBase(server.base);
      await dev.dav.sync();
      await dev.vdir?.sync();
    }
    const truth = d.dev.registry.findTenant(T)!.directory;
    const copies = devices.flatMap((dev) => [{ userId: dev.userId, cards: dev.dav.cardTexts() }, ...(dev.vdir ? [{ userId: dev.userId, cards: dev.vdir.cards() }] : [])]);
    const parsed = parseCopies(copies.map((c) => c.cards));
    const verdicts = copies.map((c, i) => judge(expectedBook(truth, policy, c.userId), parsed[i]!, policy));
    for (const v of verdicts) expect({ lost: v.lost.slice(0, 5), duplicated: v.duplicated.slice(0, 5), stale: v.stale.slice(0, 5) }, name).toEqual({ lost: [], duplicated: [], stale: [] });
    return verdicts.map(figures).reduce((a, f) => ({ devices: a.devices + 1, expected: a.expected + f.expected, lost: a.lost + f.lost, duplicated: a.duplicated + f.duplicated, stale: a.stale + f.stale }), { devices: 0, expected: 0, lost: 0, duplicated: 0, stale: 0 });
  };

  it('during the first round: the restarted server resumes, finishes, and devices converge', async () => {
    await timed(part, `${store}: kill -9 during the first round`, async () => {
      await d.control('PUT', '/faults', { latencyMs: 150 });
      // The tenant's first sign-in starts its first round.
      expect((await api('GET', '/api/me')).status).toBe(200);
      await d.until('the first round to commit its first page', usersNextLink, 60_000, 5);
      await d.kill9('a');
      const cut = await runs();
      expect(cut.at(-1)?.status, 'the round was cut off mid-way').toBe('running');
      const partial = await d.store.db.selectFrom('directory_users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', T).executeTakeFirstOrThrow();
      await d.control('DELETE', '/faults');
      server = await d.start('a');
      await roundAfterRestart();
      await storeIsConsistent();
      // The cut-off round is no longer shown as running for ever.
      expect((await runs()).filter((r) => r.status === 'running')).toEqual([]);
      expect((await api('PUT', '/api/admin/policy', { policy: FAULT_POLICY, version: 0 })).status).toBe(200);
      for (const owner of OWNERS) {
        const login = await d.addDevice(owner);
        devices.push({ userId: login.userId, dav: new DavSyncClient(server.base, login), ...(owner === OWNERS[0] ? { vdir: new VdirsyncerDevice(d.tmp.dir, server.base, login) } : {}) });
      }
      const f = await devicesConverge('after a crash in the first round');
      return { tried: 1, figures: { usersStoredAtCrash: Number(partial.n), ...f } };
    });
  }, 300_000);

  it('during a delta round: the changes of pages committed before the crash still reach every device', async () => {
    await timed(part, `${store}: kill -9 during a delta round`, async () => {
      const dir = d.dev.registry.findTenant(T)!.directory;
      // Changes on every page of the round: all bulk people get a new title, a few move or go.
      for (const u of [...dir.listUsers()].filter((x) => x.userPrincipalName.startsWith('crash'))) dir.updateUser(u.id, { jobTitle: `After crash ${u.id.slice(0, 4)}` });
      const movers = [...dir.listUsers()].filter((x) => x.userPrincipalName.startsWith('crash')).slice(0, 6);
      for (const m of movers.slice(0, 3)) dir.deleteUser(m.id, true);
      await d.control('PUT', '/faults', { latencyMs: 150 });
      const before = Math.max(...(await runs()).map((r) => r.id));
      expect((await api('POST', '/api/admin/sync')).status).toBe(202);
      await d.until('the delta round to commit a page', async () => (await runs()).some((r) => r.id > before) && (await usersNextLink()), 60_000, 5);
      await d.kill9('a');
      await d.control('DELETE', '/faults');
      server = await d.start('a');
      await roundAfterRestart();
      await storeIsConsistent();
      expect((await runs()).filter((r) => r.status === 'running')).toEqual([]);
      return { tried: 1, figures: await devicesConverge('after a crash in a delta round') };
    });
  }, 300_000);

  it('during a policy save: the policy, its audit entry and what devices see change together or not at all', async () => {
    const policies: TestPolicy[] = [
      { ...FAULT_POLICY, mappings: [...FAULT_POLICY.mappings, { audience: GROUPS.engineering, visible: [GROUPS.salesEu] }], hiddenFields: [] },
      { ...FAULT_POLICY, groups: [GROUPS.sales, GROUPS.it], hiddenFields: ['mobilePhone'] },
      { ...FAULT_POLICY, mappings: [{ audience: GROUPS.it, visible: [GROUPS.engineering, GROUPS.salesEu] }], hiddenFields: [] },
      FAULT_POLICY,
    ];
    let landedInWindow = 0;
    await timed(part, `${store}: kill -9 during policy saves (${policies.length} attempts)`, async () => {
      let totals = { devices: 0, expected: 0, lost: 0, duplicated: 0, stale: 0 };
      for (const [i, policy] of policies.entries()) {
        const { version } = await storedPolicy();
        const pending = api('PUT', '/api/admin/policy', { policy, version }).then((r) => r.status, () => 'cut');
        // Kill the moment the new version is visible in the store: after the save committed, before
        // (or while) it is applied. The first attempt instead kills 30 ms in, wherever the save is then.
        if (i === 0) await new Promise((r) => setTimeout(r, 30));
        else await d.until('the policy save to commit', async () => (await storedPolicy()).version > version, 30_000, 1).catch(() => undefined);
        await d.kill9('a');
        const answered = await pending;
        if (answered === 'cut') landedInWindow++;
        expect([version, version + 1]).toContain((await storedPolicy()).version);
        server = await d.start('a');
        await storeIsConsistent();
        await roundAfterRestart();
        const f = await devicesConverge(`after a crash during policy save ${i + 1}`);
        totals = { devices: totals.devices + f.devices, expected: totals.expected + f.expected, lost: totals.lost + f.lost, duplicated: totals.duplicated + f.duplicated, stale: totals.stale + f.stale };
      }
      return { tried: policies.length, figures: { ...totals, killsBeforeTheAnswer: landedInWindow } };
    });
  }, 600_000);
});
