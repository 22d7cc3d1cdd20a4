import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage, deviceSync, newResult, percentile, tabSearch } from './kit/load.js';
import { CONTOSO_TENANT_ID, GROUPS, startProduct, type DeviceLogin, type Product } from './kit/product.js';
import { timed } from './kit/report.js';

const T = CONTOSO_TENANT_ID;
const DEVICES = 120;
const USERS = ['jonas.becker@contoso.example', 'chloe.durand@contoso.example', 'oliver.bennett@contoso.example', 'sofia.rossi@contoso.example', 'marcus.lee@contoso.example', 'hannah.obrien@contoso.example', 'diego.fernandez@contoso.example', 'amelia.hart@contoso.example', 'grace.kim@contoso.example', 'liam.novak@contoso.example'];

/**
 * Part 7, short version (part of `npm test`): 200 devices syncing at once and ten tab users searching
 * as they type, against the in-process product, then a few seconds of repeated waves. 0 errors, and
 * the process's heap (server and clients share it here) does not keep growing from wave to wave. The
 * full version — 1,000 devices, 100 users, the built server's memory over minutes — is
 * slow/load.slow.ts.
 */
describe('resilience: load (short)', () => {
  let p: Product;
  const devices: (DeviceLogin & { token?: string })[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    p = await startProduct();
    await p.signIn(T, 'ethan.walker@contoso.example');
    await p.sync(T);
    await p.setPolicy(T, { version: 1, groups: [GROUPS.sales, GROUPS.engineering, GROUPS.executives], mappings: [], hiddenFields: [] });
    // At most 20 devices per user: spread over the ten users.
    for (let i = 0; i < DEVICES; i++) devices.push(await p.addDevice(T, USERS[i % USERS.length]!));
    for (const upn of USERS) tokens.push(await p.ssoToken(T, upn));
  });
  afterAll(() => p?.stop());

  it(`${DEVICES} concurrent device syncs and ${USERS.length} users searching, then waves: 0 errors, heap levels off`, async () => {
    await timed('load', `in-process: ${DEVICES} concurrent device syncs + ${USERS.length} tab users, 4 waves`, async () => {
      const dav = newResult();
      const tab = newResult();
      const heap: number[] = [];
      for (let wave = 0; wave < 4; wave++) {
        await Promise.all([...devices.map((d) => deviceSync(p.base, d, dav)), ...tokens.map((t, i) => tabSearch(p.base, t, ['sales', 'engin', 'redmo', 'chief'][(i + wave) % 4]!, tab))]);
        collectGarbage();
        heap.push(process.memoryUsage().heapUsed / 2 ** 20);
      }
      expect(dav.errors.slice(0, 5)).toEqual([]);
      expect(tab.errors.slice(0, 5)).toEqual([]);
      expect(dav.requests).toBe(DEVICES * 4);
      // Waves 2–4 do the same work as wave 1 (incremental syncs): the heap must not climb with them.
      expect(Math.max(...heap.slice(2)), `heap MB per wave ${heap.map(Math.round).join(' ')}`).toBeLessThan(Math.max(...heap.slice(0, 2)) + 16);
      return { tried: dav.requests + tab.requests, figures: { davRequests: dav.requests, tabRequests: tab.requests, errors: 0, dav_p95ms: percentile(dav.latencies, 95), tab_p95ms: percentile(tab.latencies, 95), heapMbPerWave: heap.map(Math.round).join(' ') } };
    });
  });
});
