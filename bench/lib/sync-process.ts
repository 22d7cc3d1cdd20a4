import type { RunOutcome } from '../../src/core/sync/sync-runner.js';
import { createLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/store.js';
import { createSyncCore } from '../../src/sync-core.js';
import { TenantAccess } from '../../src/tenant-access.js';
import { prepareWorkerEnvironment } from './bench-environment.js';

/**
 * What a process a benchmark forked (the ingest worker, our CardDAV server) runs on: its settings
 * (`prepareWorkerEnvironment`), a fresh migrated SQLite store, and the sync core as production wires
 * it (`createSyncCore`), with `TenantAccess` to record the grant.
 */
export async function openSyncProcess() {
  const config = prepareWorkerEnvironment();
  const store = openStore(config.store);
  await store.migrate();
  const logger = createLogger(config.logLevel);
  const core = createSyncCore(config, store, logger);
  let firstRoundRequested = false;
  // Production starts the first round in the background on the first grant; here it is only noted,
  // so that the benchmark can time that round itself.
  const access = new TenantAccess({
    store,
    tokens: core.tokens,
    runner: {
      run: async () => {
        firstRoundRequested = true;
        return { status: 'busy' };
      },
    },
    logger,
  });
  return { config, store, logger, core, access, firstRoundRequested: () => firstRoundRequested };
}

/** Throws unless the sync round succeeded, with the runner's error. */
export function expectSucceeded(outcome: RunOutcome): void {
  if (outcome.status !== 'succeeded') throw new Error(`sync round ${outcome.status}${'error' in outcome && outcome.error ? `: ${outcome.error}` : ''}`);
}
