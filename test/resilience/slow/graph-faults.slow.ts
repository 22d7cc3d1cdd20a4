import { afterAll, beforeAll, describe, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir.js';
import { FaultScenario } from '../kit/fault-scenario.js';
import { startProduct, type Product } from '../kit/product.js';

/**
 * Part 4, long version (`npm run test:resilience` only): the fault sequence of graph-faults.test.ts
 * on PostgreSQL, with a larger directory (delta rounds of four pages), three devices per owner, the
 * real client after more steps, and many rounds of random mixed faults (more with --soak).
 */
describe('resilience: Graph faults during sync, then convergence (long, PostgreSQL)', () => {
  let p: Product;
  let scenario: FaultScenario;
  const tmp = tempDir('resilience-faults-long-');

  beforeAll(async () => {
    p = await startProduct({ postgres: true });
    scenario = new FaultScenario(p, { part: 'graph-faults', root: tmp.dir, bulkUsers: 700, stormRounds: process.env.RESILIENCE_SOAK ? 40 : 12, extraDevicesPerOwner: 2, thorough: true });
    await scenario.setUp();
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
    tmp.remove();
  });

  it('every fault, then random storms: 0 lost, 0 duplicated, 0 stale on every device', async () => {
    await scenario.run();
  }, 900_000);
});
