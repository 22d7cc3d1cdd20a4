import type { FieldCipher } from '../../src/crypto/field-cipher.js';
import type { addMyDevice } from '../../src/devices/device-api.js';
import { DirectoryRepository } from '../../src/store/directory-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import type { Store } from '../../src/store/store.js';
import { SyncRepository } from '../../src/store/sync-repository.js';
import type { TenantRepository } from '../../src/store/tenant-repository.js';
import { TokenCacheRepository } from '../../src/store/token-cache-repository.js';
import type { WhoToAskDeps } from './who-to-ask.js';

/** What the commands read and change, as narrow ports: tests may pass fakes, main passes the store. */
export interface CommandDeps {
  tenants: Pick<TenantRepository, 'get'>;
  /** The devices service, as the device API's operations take it. */
  devices: Parameters<typeof addMyDevice>[0];
  feed: Pick<FeedRepository, 'audienceOf' | 'audiences' | 'countContacts'>;
  directory: Pick<DirectoryRepository, 'getGroups'>;
  syncRuns: Pick<SyncRepository, 'recentRuns'>;
  admins: WhoToAskDeps;
}

/** The commands' collaborators on a store; `cipher` opens group names and the sync account's name. */
export function commandDeps(store: Pick<Store, 'db' | 'tenants' | 'audit'>, devices: CommandDeps['devices'], cipher: FieldCipher): CommandDeps {
  return {
    tenants: store.tenants,
    devices,
    feed: new FeedRepository(store.db),
    directory: new DirectoryRepository(store.db, cipher),
    syncRuns: new SyncRepository(store.db, cipher),
    admins: { audit: store.audit, syncAccounts: new TokenCacheRepository(store.db, cipher) },
  };
}
