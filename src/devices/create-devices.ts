import type { Config } from '../config/config.js';
import { DeviceRepository } from '../store/device-repository.js';
import { FeedRepository } from '../store/feed-repository.js';
import type { Store } from '../store/store.js';
import { SecretHasher } from './credentials.js';
import { StoreDeviceAuthenticator, type AuthenticatorLimits } from './device-authenticator.js';
import { DevicesService, type DevicesDeps } from './devices.js';

export interface DevicesModule {
  service: DevicesService;
  /** The DeviceAuthenticator CardDAV stands on. Keep one per process: it holds the rate limits. */
  authenticator: StoreDeviceAuthenticator;
}

/** Wires the devices module onto a store and the configuration (composition root, CLI, tests). */
export function createDevices(deps: {
  store: Pick<Store, 'db' | 'audit'>;
  config: Pick<Config, 'publicUrl' | 'dataEncryptionKey' | 'previousDataEncryptionKeys'>;
  now?: () => number;
  limits?: Partial<AuthenticatorLimits>;
  onRevokedByAdmin?: DevicesDeps['onRevokedByAdmin'];
}): DevicesModule {
  const repo = new DeviceRepository(deps.store.db);
  const hasher = new SecretHasher([deps.config.dataEncryptionKey, ...deps.config.previousDataEncryptionKeys]);
  const service = new DevicesService({ repo, feed: new FeedRepository(deps.store.db), hasher, publicUrl: deps.config.publicUrl, audit: deps.store.audit, ...(deps.now ? { now: deps.now } : {}), ...(deps.onRevokedByAdmin ? { onRevokedByAdmin: deps.onRevokedByAdmin } : {}) });
  const authenticator = new StoreDeviceAuthenticator({ devices: repo, hasher, ...(deps.now ? { now: deps.now } : {}), ...(deps.limits ? { limits: deps.limits } : {}) });
  return { service, authenticator };
}
