import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED } from '../../../src/core/sync/sync-runner.js';
import { Balancer } from '../kit/balancer.js';
import { expectedBook, judge, parseCopies, type TestPolicy } from '../kit/convergence.js';
import { DavSyncClient } from '../kit/dav-client.js';
import { Deployment } from '../kit/deployment.js';
import { FAULT_POLICY } from '../kit/fault-scenario.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, GROUPS, TEST_APP } from '../kit/product.js';
import { timed } from '../kit/report.js';
import { VdirsyncerDevice } from '../kit/vdirsyncer.js';

const NAMES = ['a', 'b', 'c'];
const BULK = 450;
const LICENCE = [{ skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', disabledPlans: [] }];
const FABRIKAM_POLICY: TestPolicy = { version: 1, groups: [GROUPS.fabrikamStaff], mappings: [], hiddenFields: [] };
const POLICIES: Record<string, TestPolicy> = { [CONTOSO_TENANT_ID]: FAULT_POLICY, [FABRIKAM_TENANT_ID]: FABRIKAM_POLICY };

interface Run {
  id: number;
  tenant_id: string;
  status: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

/**
 * Part 6: three server processes (dist/server.js) on one PostgreSQL behind a round-robin balancer.
 * "Sync now" from every instance at once and the instances' own schedulers compete for the same
 * tenants: the sync_runs history and each instance's log prove that every tenant was synced by one
 * instance at a time. Then the instance running a round is killed with -9: the others take the tenant
 * over and finish it, and the devices, syncing through the balancer the whole time, converge.
 */
describe('resilience: several instances on one PostgreSQL', () => {
  let d: Deployment;
  let lb: Balancer;
  const tokens: Record<string, string> = {};
  const devices: { tenantId: string; userId: string; dav: DavSyncClient; vdir?: VdirsyncerDevice }[] = [];
  const logs = new Map<string, string>();
  const part = 'instances';

  const api = (tenantId: string, method: string, path: string, body?: unknown) =>
    fetch(`${lb.base}${path}`, { method, headers: { authorization: `Bearer ${tokens[tenantId]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const runs = async (): Promise<Run[]> => (await d.store.db.selectFrom('sync_runs').select(['id', 'tenant_id', 'status', 'started_at', 'finished_at', 'error']).orderBy('id').execute()) as Run[];
  const keepLogs = (name: string) => logs.set(name, (logs.get(name) ?? '') + d.servers.get(name)!.spawned.output());

  beforeAll(async () => {
    d = await Deployment.create({ postgres: true });
    const dir = d.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    for (let i = 0; i < BULK; i++) {
      const u = dir.addUser({ userPrincipalName: `multi${i}@contoso.example`, displayName: `Multi Person ${i}`, mail: `multi${i}@contoso.example`, jobTitle: `Title ${i}`, businessPhones: [`+1 425 555 ${String(i).padStart(4, '0')}`], accountEnabled: true, assignedLicenses: LICENCE });
      dir.addMember(GROUPS.salesEu, u.id);
    }
    await d.control('POST', `/tenants/${FABRIKAM_TENANT_ID}/consent`, { clientId: TEST_APP.clientId });
    // Schedulers every minute (the shortest interval), so they compete with the manual rounds too.
    for (const name of NAMES) await d.start(name, { SYNC_INTERVAL_MINUTES: '1' });
    lb = new Balancer(NAMES.map((name) => ({ name, port: d.servers.get(name)!.port })));
    await lb.start();
    tokens[CONTOSO_TENANT_ID] = await d.ssoToken('ethan.walker@contoso.example');
    tokens[FABRIKAM_TENANT_ID] = await d.ssoToken('nora.lindqvist@fabrikam.example', FABRIKAM_TENANT_ID);
    for (const t of [CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID]) {
      expect((await api(t, 'GET', '/api/me')).status).toBe(200);
      await d.until(`the first round of ${t}`, async () => (await runs()).some((r) => r.tenant_id === t && r.status === 'succeeded'), 120_000);
      expect((await api(t, 'PUT', '/api/admin/policy', { policy: POLICIES[t], version: 0 })).status).toBe(200);
    }
    for (const [t, upn] of [[CONTOSO_TENANT_ID, 'jonas.becker@contoso.example'], [CONTOSO_TENANT_ID, 'grace.kim@contoso.example'], [CONTOSO_TENANT_ID, 'amelia.hart@contoso.example'], [FABRIKAM_TENANT_ID, 'kofi.mensah@fabrikam.example']] as const) {
      const login = await d.addDevice(upn, t);
      devices.push({ tenantId: t, userId: login.userId, dav: new DavSyncClient(lb.base, login), ...(devices.length === 0 ? { vdir: new VdirsyncerDevice(d.tmp.dir, lb.base, login) } : {}) });
    }
  }, 300_000);
  afterAll(async () => {
    await lb?.stop();
    await d?.stop();
  });

  /** Consecutive rounds of a tenant never overlap; a cut-off round ends when its instance died. */
  const overlaps = (all: Run[], killedAt: number | undefined): string[] => {
    const out: string[] = [];
    for (const t of [CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID]) {
      const mine = all.filter((r) => r.tenant_id === t && r.status !== 'running').sort((x, y) => x.started_at - y.started_at);
      for (let i = 1; i < mine.length; i++) {
        const prev = mine[i - 1]!;
        const end = prev.error === INTERRUPTED ? killedAt ?? prev.finished_at! : prev.finished_at!;
        if (end > mine[i]!.started_at) out.push(`${t}: run ${prev.id} (ends ${end}) overlaps run ${mine[i]!.id} (starts ${mine[i]!.started_at})`);
      }
    }
    return out;
  };

  const converge = async () => {
    for (const dev of devices) {
      await dev.dav.sync();
      await dev.vdir?.sync();
    }
    const copies = devices.flatMap((dev) => [{ dev, cards: dev.dav.cardTexts() }, ...(dev.vdir ? [{ dev, cards: dev.vdir.cards() }] : [])]);
    const parsed = parseCopies(copies.map((c) => c.cards));
    const verdicts = copies.map((c, i) => judge(expectedBook(d.dev.registry.findTenant(c.dev.tenantId)!.directory, POLICIES[c.dev.tenantId]!, c.dev.userId), parsed[i]!, POLICIES[c.dev.tenantId]!));
    for (const v of verdicts) expect({ lost: v.lost.slice(0, 5), duplicated: v.duplicated.slice(0, 5), stale: v.stale.slice(0, 5) }).toEqual({ lost: [], duplicated: [], stale: [] });
    return { devicesChecked: verdicts.length, cards: verdicts.reduce((n, v) => n + v.got, 0), lost: 0, duplicated: 0, stale: 0 };
  };

  it('every tenant is synced by exactly one instance at a time, however many ask at once', async () => {
    await timed(part, '3 instances: concurrent "sync now" on every instance plus the schedulers', async () => {
      const dir = d.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
      await d.control('PUT', '/faults', { latencyMs: 40 });
      const statuses = new Map<number, number>();
      let maxRunning = 0;
      let asked = 0;
      for (let wave = 0; wave < 6; wave++) {
        for (const u of [...dir.listUsers()].filter((x) => x.userPrincipalName.startsWith('multi')).slice(0, 250)) dir.updateUser(u.id, { jobTitle: `Wave ${wave} ${u.id.slice(0, 4)}` });
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const running = await d.store.db.selectFrom('sync_runs').select(['tenant_id']).where('status', '=', 'running').where('error', 'is', null).execute();
            for (const t of [CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID]) maxRunning = Math.max(maxRunning, running.filter((r) => r.tenant_id === t).length);
            await new Promise((r) => setTimeout(r, 10));
          }
        })();
        const answers = await Promise.all([CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID].flatMap((t) => NAMES.map(() => api(t, 'POST', '/api/admin/sync').then((r) => r.status))));
        for (const s of answers) statuses.set(s, (statuses.get(s) ?? 0) + 1);
        asked += answers.length;
        await d.until('the wave\'s rounds to finish', async () => !(await runs()).some((r) => r.status === 'running'), 120_000, 50);
        sampling = false;
        await sampler;
      }
      await d.control('DELETE', '/faults');
      const all = await runs();
      expect(overlaps(all, undefined)).toEqual([]);
      expect(maxRunning, 'running rounds of one tenant seen at once').toBe(1);
      // Both outcomes happened: rounds started, and instances were refused while another held the tenant.
      expect(statuses.get(202) ?? 0).toBeGreaterThan(0);
      expect(statuses.get(409) ?? 0).toBeGreaterThan(0);
      expect([...statuses.keys()].filter((s) => s !== 202 && s !== 409)).toEqual([]);
      // The logs agree: each finished round was logged by exactly one instance.
      for (const name of NAMES) keepLogs(name);
      const finishedBy = new Map<number, string[]>();
      for (const [name, text] of logs) {
        for (const line of text.split('\n')) {
          if (!line.includes('"msg":"sync round finished"')) continue;
          const { runId } = JSON.parse(line) as { runId: number };
          finishedBy.set(runId, [...(finishedBy.get(runId) ?? []), name]);
        }
      }
      const succeeded = all.filter((r) => r.status === 'succeeded');
      expect(succeeded.map((r) => finishedBy.get(r.id)?.length ?? 0)).toEqual(succeeded.map(() => 1));
      const perInstance = Object.fromEntries(NAMES.map((n) => [n, [...finishedBy.values()].filter((v) => v[0] === n).length]));
      logs.clear();
      return { tried: asked, figures: { rounds: succeeded.length, started202: statuses.get(202) ?? 0, refused409: statuses.get(409) ?? 0, maxRunningPerTenant: maxRunning, overlaps: 0, roundsPerInstance: JSON.stringify(perInstance), ...(await converge()) } };
    });
  }, 600_000);

  it('kill -9 of the instance running a round: the others take over and devices keep syncing through the survivors', async () => {
    await timed(part, '3 instances: kill -9 of the one running a round, devices syncing throughout', async () => {
      const dir = d.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
      for (const u of [...dir.listUsers()].filter((x) => x.userPrincipalName.startsWith('multi'))) dir.updateUser(u.id, { jobTitle: `Before the kill ${u.id.slice(0, 6)}` });
      // Devices sync through the balancer without pause while the instance dies; every failure is counted.
      let syncing = true;
      let deviceSyncs = 0;
      const deviceErrors: string[] = [];
      const loop = (async () => {
        while (syncing) {
          for (const dev of devices) {
            try {
              await dev.dav.sync();
              deviceSyncs++;
            } catch (err) {
              deviceErrors.push(String(err));
            }
          }
        }
      })();
      await d.control('PUT', '/faults', { latencyMs: 150 });
      const before = Math.max(...(await runs()).map((r) => r.id));
      let victim: string | undefined;
      await d.until('a round to start on some instance', async () => {
        const res = await api(CONTOSO_TENANT_ID, 'POST', '/api/admin/sync');
        if (res.status === 202) victim = res.headers.get('x-balancer-backend') ?? undefined;
        return res.status === 202;
      }, 120_000, 200);
      const round = await d.until('the round to commit a page', async () => {
        const r = (await runs()).find((x) => x.id > before && x.tenant_id === CONTOSO_TENANT_ID && x.status === 'running');
        const next = await d.store.db.selectFrom('sync_state').select('next_link').where('tenant_id', '=', CONTOSO_TENANT_ID).where('kind', '=', 'users').executeTakeFirst();
        return r && next?.next_link ? r : undefined;
      }, 60_000, 5);
      keepLogs(victim!);
      await d.kill9(victim!);
      const killedAt = Date.now();
      await d.control('DELETE', '/faults');
      // A survivor takes the tenant: PostgreSQL released the dead session's advisory lock with its connection.
      let takeover = 0;
      await d.until('a survivor to start a round', async () => {
        takeover++;
        return (await api(CONTOSO_TENANT_ID, 'POST', '/api/admin/sync')).status === 202;
      }, 60_000, 200);
      await d.until('the survivor\'s round to succeed', async () => (await runs()).some((r) => r.id > round.id && r.tenant_id === CONTOSO_TENANT_ID && r.status === 'succeeded'), 120_000);
      syncing = false;
      await loop;
      expect(deviceErrors).toEqual([]);
      const all = await runs();
      expect(all.find((r) => r.id === round.id)).toMatchObject({ status: 'failed', error: INTERRUPTED });
      expect(overlaps(all, killedAt)).toEqual([]);
      const figures = await converge();
      // The killed instance comes back and serves again.
      await d.start(victim!, { SYNC_INTERVAL_MINUTES: '1' });
      lb.up(victim!);
      for (let i = 0; i < NAMES.length * 2; i++) await devices[0]!.dav.sync();
      expect(lb.stats.served.get(victim!) ?? 0).toBeGreaterThan(0);
      return { tried: deviceSyncs, failures: deviceErrors.length, figures: { killed: victim!, deviceSyncsDuringKill: deviceSyncs, deviceErrors: deviceErrors.length, balancerRetries: lb.stats.retried, takeoverAttempts: takeover, overlaps: 0, ...figures } };
    });
  }, 600_000);
});
