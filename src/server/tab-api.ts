import express, { type Router } from 'express';
import type { Config } from '../config/config.js';
import { DirectoryViews } from '../core/directory/directory-views.js';
import type { UserData } from '../core/sync/user-record.js';
import { DirectoryRepository } from '../store/directory-repository.js';
import { deviceApiRoutes, type DisplayNames } from '../devices/device-api.js';
import type { DevicesModule } from '../devices/create-devices.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { SyncCore } from '../sync-core.js';
import { TenantAccess } from '../tenant-access.js';
import { TabTokenValidator } from './auth/tab-token-validator.js';
import { callerOf, withTabAuth } from './auth/with-tab-auth.js';
import { adminRoutes } from './admin-routes.js';
import { directoryRoutes } from './directory-routes.js';
import { meRoutes } from './me-routes.js';
import { tabConfigRoutes } from './tab-config-routes.js';

/**
 * The tab's API under /api: every route but /api/tab-config behind a validated Teams SSO or msal-browser token. Without
 * an app registration (no client id) there is nothing to validate against, and every route answers 401.
 */
export function tabApiRouter(deps: { config: Config; store: Store; syncCore: SyncCore | undefined; devices: DevicesModule; logger: Logger }): Router {
  const router = express.Router();
  const { config, store, syncCore, logger } = deps;
  router.use(tabConfigRoutes(config));
  if (syncCore && config.entra.clientId) {
    router.use(withTabAuth({ validator: new TabTokenValidator({ authorityHost: config.entra.authorityHost, clientId: config.entra.clientId }), logger }));
    router.use(meRoutes({ access: new TenantAccess({ store, tokens: syncCore.tokens, runner: syncCore.runner, logger }), store }));
    router.use(directoryRoutes({ store, cipher: syncCore.cipher, views: new DirectoryViews({ db: store.db, cipher: syncCore.cipher, logger }) }));
    router.use(adminRoutes({ store, syncCore, devices: deps.devices, logger }));
  }
  const displayNames = syncCore ? directoryNames(new DirectoryRepository(store.db, syncCore.cipher)) : undefined;
  router.use(deviceApiRoutes({ devices: deps.devices.service, callerOf, displayNames }));
  return router;
}

function directoryNames(directory: DirectoryRepository): DisplayNames {
  return async (tenantId, userIds) => new Map((await directory.getUsers<UserData>(tenantId, userIds)).map((u) => [u.id, u.data.displayName]));
}
