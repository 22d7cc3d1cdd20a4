import { afterAll, beforeAll, describe, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { FaultScenario } from './kit/fault-scenario.js';
import { startProduct, type Product } from './kit/product.js';

/**
 * Part 4, short version (part of `npm test`): every Graph fault the dev tenant can inject, once each,
 * during rounds that carry real directory changes, on SQLite, with four owners' devices (two of them
 * also synced by vdirsyncer); after each, every device equals the dev tenant's truth filtered by the
 * policy. The long version (PostgreSQL, more devices, many random storms) is slow/graph-faults.slow.ts.
 */
describe('resilience: Graph faults during sync, then convergence (short)', () => {
  let p: Product;
  let scenario: FaultScenario;
  const tmp = tempDir('resilience-faults-');

  beforeAll(async () => {
    p = await startProduct();
    scenario = new FaultScenario(p, { part: 'graph-faults', root: tmp.dir, bulkUsers: 210, stormRounds: 1 });
    await scenario.setUp();
  });
  afterAll(async () => {
    await p?.stop();
    tmp.remove();
  });

  it('429 storms, 503s, resets, slow responses, delta token expiry (mid-round and 410), replication lag, random storms: 0 lost, 0 duplicated, 0 stale', async () => {
    await scenario.run();
  }, 120_000);
});
