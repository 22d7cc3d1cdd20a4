import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevices } from '../../../src/devices/create-devices.js';
import { Deployment, type ServerProcess } from '../kit/deployment.js';
import { deviceSync, newResult, percentile, pool, tabSearch, type LoadResult } from '../kit/load.js';
import { CONTOSO_TENANT_ID, GROUPS, type DeviceLogin } from '../kit/product.js';
import { record, timed } from '../kit/report.js';

const T = CONTOSO_TENANT_ID;
const PEOPLE = 250;
const DEVICES = 1_000;
const TAB_USERS = 100;
const LICENCE = [{ skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', disabledPlans: [] }];
/** `npm run test:resilience -- --soak` (RESILIENCE_SOAK=1) soaks for five minutes; otherwise one. */
const SOAK_MS = process.env.RESILIENCE_SOAK ? 5 * 60_000 : 60_000;
const WORDS = ['person', 'sales', 'load', 'redmond', 'title', 'jonas', 'account', 'berlin'];

/** The server process's resident memory, from /proc (Linux): what an operator's monitoring sees. */
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/**
 * Part 7: load on the built server (one process, SQLite, the embedded default): 1,000 devices syncing
 * at the same moment (CardDAV sync-collection) while 100 tab users search as they type; then a soak
 * of repeated incremental device syncs, searches and sync rounds with directory changes, watching the
 * server's memory. 0 errors are allowed, and memory must level off rather than grow.
 */
describe('resilience: load and soak', () => {
  let d: Deployment;
  let server: ServerProcess;
  const devices: (DeviceLogin & { token?: string })[] = [];
  const tabTokens: string[] = [];

  beforeAll(async () => {
    d = await Deployment.create();
    const dir = d.dev.registry.findTenant(T)!.directory;
    const people: string[] = [];
    for (let i = 0; i < PEOPLE; i++) {
      const u = dir.addUser({ userPrincipalName: `load${i}@contoso.example`, displayName: `Load Person ${i}`, givenName: 'Load', surname: `Person ${i}`, mail: `load${i}@contoso.example`, jobTitle: `Sales title ${i}`, officeLocation: i % 2 ? 'Redmond 1' : 'Berlin 2', businessPhones: [`+1 425 555 ${String(i).padStart(4, '0')}`], accountEnabled: true, assignedLicenses: LICENCE });
      dir.addMember(GROUPS.salesEu, u.id);
      people.push(u.userPrincipalName);
    }
    server = await d.start('a');
    const admin = await d.ssoToken('ethan.walker@contoso.example');
    const api = (method: string, path: string, body?: unknown) => fetch(`${server.base}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await api('GET', '/api/me')).status).toBe(200);
    await d.until('the first round', async () => (await d.store.db.selectFrom('sync_runs').select('status').where('tenant_id', '=', T).execute()).some((r) => r.status === 'succeeded'), 120_000);
    expect((await api('PUT', '/api/admin/policy', { policy: { version: 1, groups: [GROUPS.sales], mappings: [] }, version: 0 })).status).toBe(200);
    // 1,000 devices straight through the devices service on the shared store (the CLI would take a process each).
    const service = createDevices({ store: d.store, config: { publicUrl: server.base, dataEncryptionKey: Buffer.from(d.key, 'base64'), previousDataEncryptionKeys: [] } }).service;
    for (let i = 0; i < DEVICES; i++) {
      const upn = people[i % PEOPLE]!;
      const userId = dir.getUser(upn)!.id;
      const { credentials } = await service.addDevice(T, userId);
      devices.push({ username: credentials.username, password: credentials.password, tenantId: T, userId, upn, book: `/dav/addressbooks/${credentials.deviceId}/contacts/` });
    }
    for (let i = 0; i < TAB_USERS; i++) tabTokens.push(await d.ssoToken(people[i]!));
  }, 600_000);
  afterAll(() => d?.stop());

  const summary = (r: LoadResult) => ({ requests: r.requests, errors: r.errors.length, p50ms: percentile(r.latencies, 50), p95ms: percentile(r.latencies, 95), p99ms: percentile(r.latencies, 99), seconds: Math.round(r.ms / 100) / 10 });

  it(`${DEVICES} concurrent device syncs and ${TAB_USERS} concurrent tab users searching: 0 errors`, async () => {
    await timed('load', `${DEVICES} concurrent first device syncs + ${TAB_USERS} tab users searching as they type`, async () => {
      const dav = newResult();
      const tab = newResult();
      const started = performance.now();
      const rssBefore = rssMb(server.spawned.child.pid!);
      // All at once: every device and every user starts in the same tick.
      await Promise.all([
        ...devices.map((dev) => deviceSync(server.base, dev, dav)),
        ...tabTokens.map((token, i) => tabSearch(server.base, token, WORDS[i % WORDS.length]!, tab)),
      ]);
      dav.ms = tab.ms = performance.now() - started;
      expect(dav.errors.slice(0, 5)).toEqual([]);
      expect(tab.errors.slice(0, 5)).toEqual([]);
      expect(dav.requests).toBe(DEVICES);
      expect(devices.every((dev) => dev.token)).toBe(true);
      const f = { ...Object.fromEntries(Object.entries(summary(dav)).map(([k, v]) => [`dav_${k}`, v])), ...Object.fromEntries(Object.entries(summary(tab)).map(([k, v]) => [`tab_${k}`, v])), serverRssMbBefore: Math.round(rssBefore), serverRssMbAfter: Math.round(rssMb(server.spawned.child.pid!)) };
      return { tried: dav.requests + tab.requests, failures: dav.errors.length + tab.errors.length, figures: f };
    });
  }, 600_000);

  it(`soak (${SOAK_MS / 60_000} min): incremental device syncs, searches and sync rounds with changes; memory levels off`, async () => {
    await timed('load', `soak ${SOAK_MS / 60_000} min: 250 devices and 50 tab users per wave, a round with changes every 10 s`, async () => {
      const dav = newResult();
      const tab = newResult();
      const samples: { at: number; rss: number }[] = [];
      const pid = server.spawned.child.pid!;
      const dir = d.dev.registry.findTenant(T)!.directory;
      const admin = await d.ssoToken('ethan.walker@contoso.example');
      const started = Date.now();
      const sampler = setInterval(() => samples.push({ at: Date.now() - started, rss: rssMb(pid) }), 1_000);
      let wave = 0;
      let rounds = 0;
      let lastRound = 0;
      try {
        while (Date.now() - started < SOAK_MS) {
          wave++;
          // A quarter of the devices and half the users per wave, in turn: phones sync at their own times.
          const slice = devices.slice((wave % 4) * 250, (wave % 4) * 250 + 250);
          await Promise.all([
            pool(slice.map((dev) => () => deviceSync(server.base, dev, dav)), 250),
            pool(tabTokens.slice((wave % 2) * 50, (wave % 2) * 50 + 50).map((token, i) => () => tabSearch(server.base, token, WORDS[(i + wave) % WORDS.length]!.slice(0, 4), tab)), 50),
          ]);
          if (Date.now() - lastRound > 10_000) {
            lastRound = Date.now();
            for (const u of [...dir.listUsers()].filter((x) => x.userPrincipalName.startsWith('load')).slice(0, 20)) dir.updateUser(u.id, { jobTitle: `Soak ${wave} ${u.id.slice(0, 4)}` });
            const res = await fetch(`${server.base}/api/admin/sync`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
            expect([202, 409]).toContain(res.status);
            rounds++;
          }
        }
      } finally {
        clearInterval(sampler);
      }
      dav.ms = tab.ms = Date.now() - started;
      expect(dav.errors.slice(0, 5)).toEqual([]);
      expect(tab.errors.slice(0, 5)).toEqual([]);
      // Memory levels off: the last third of the soak peaks no higher than the first third's peak plus a margin.
      const third = Math.floor(samples.length / 3);
      const early = Math.max(...samples.slice(0, third).map((s) => s.rss));
      const late = Math.max(...samples.slice(-third).map((s) => s.rss));
      expect(late, `RSS ${JSON.stringify(samples.map((s) => Math.round(s.rss)))}`).toBeLessThan(early * 1.25 + 30);
      const rss = samples.map((s) => Math.round(s.rss));
      record({ part: 'load', name: 'soak: server RSS, one sample a second', tried: samples.length, failures: 0, durationMs: dav.ms, figures: { minMb: Math.min(...rss), maxMb: Math.max(...rss), firstMb: rss[0] ?? 0, lastMb: rss.at(-1) ?? 0 } });
      return {
        tried: dav.requests + tab.requests,
        failures: dav.errors.length + tab.errors.length,
        figures: { waves: wave, rounds, ...Object.fromEntries(Object.entries(summary(dav)).map(([k, v]) => [`dav_${k}`, v])), ...Object.fromEntries(Object.entries(summary(tab)).map(([k, v]) => [`tab_${k}`, v])), rssFirstThirdPeakMb: Math.round(early), rssLastThirdPeakMb: Math.round(late) },
      };
    });
  }, 900_000);
});
