import { GrantLapsed } from './auth/auth-errors.js';
import { createDelegatedTokens } from './auth/delegated-tokens.js';
import { msalSettingsFrom } from './auth/msal-client.js';
import type { Config } from './config/config.js';
import { SyncRunner, type TenantGraph } from './core/sync/sync-runner.js';
import { SyncScheduler } from './core/sync/sync-scheduler.js';
import { InProcessTenantLock, PostgresTenantLock } from './core/sync/tenant-lock.js';
import { purgeTenantData } from './core/tenant-purge.js';
import { dataCipher } from './crypto/data-cipher.js';
import { createGraphClient } from './graph/graph-client.js';
import { SdkGraphPages } from './graph/sdk-graph-pages.js';
import type { Logger } from './log/logger.js';
import type { Store } from './store/store.js';
import { TokenCacheRepository } from './store/token-cache-repository.js';

/**
 * Wires the sync core for a process (the server or the CLI): data cipher, delegated tokens with the
 * persistent cache, Graph on the tenant's stored grant, the tenant lock that fits the store, the
 * runner and the scheduler.
 */
export function createSyncCore(config: Config, store: Store, logger: Logger) {
  const cipher = dataCipher(config);
  const tokens = createDelegatedTokens({ settings: msalSettingsFrom(config.entra), repository: new TokenCacheRepository(store.db, cipher), logger: logger.child({ component: 'tokens' }) });
  const graphFor = async (tenantId: string): Promise<TenantGraph> => {
    // Confirm the grant before the round: a cached token can outlive a disabled account by an hour.
    try {
      await tokens.forSync(tenantId, { forceRefresh: true });
    } catch (err) {
      // Consent withdrawn: the tenant's directory may no longer be held (PRODUCT.md, privacy).
      if (err instanceof GrantLapsed && err.reason === 'consent-revoked') await purgeTenantData({ db: store.db, cipher }, tenantId);
      throw err;
    }
    const client = createGraphClient({ baseUrl: config.entra.graphBaseUrl, getToken: () => tokens.forSync(tenantId) });
    return { pages: new SdkGraphPages(client), stats: client.stats };
  };
  const lock = store.kind === 'postgres' ? new PostgresTenantLock(store.db) : new InProcessTenantLock();
  const runner = new SyncRunner({ store, cipher, lock, graphFor, logger: logger.child({ component: 'sync' }) });
  const scheduler = new SyncScheduler({ runner, store, cipher, intervalMs: config.syncIntervalMs, logger: logger.child({ component: 'scheduler' }) });
  return { cipher, tokens, runner, scheduler };
}

export type SyncCore = ReturnType<typeof createSyncCore>;
