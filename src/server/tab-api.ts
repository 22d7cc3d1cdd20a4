import express, { type Router } from 'express';
import type { Config } from '../config/config.js';
import { deviceApiRoutes } from '../devices/device-api.js';
import type { DevicesModule } from '../devices/create-devices.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { SyncCore } from '../sync-core.js';
import { TenantAccess } from '../tenant-access.js';
import { TabTokenValidator } from './auth/tab-token-validator.js';
import { callerOf, withTabAuth } from './auth/with-tab-auth.js';
import { meRoutes } from './me-routes.js';

/**
 * The tab's API under /api: every route behind a validated Teams SSO or msal-browser token. Without
 * an app registration (no client id) there is nothing to validate against, and every route answers 401.
 */
export function tabApiRouter(deps: { config: Config; store: Store; syncCore: SyncCore | undefined; devices: DevicesModule; logger: Logger }): Router {
  const router = express.Router();
  const { config, store, syncCore, logger } = deps;
  if (syncCore && config.entra.clientId) {
    router.use(withTabAuth({ validator: new TabTokenValidator({ authorityHost: config.entra.authorityHost, clientId: config.entra.clientId }), logger }));
    router.use(meRoutes({ access: new TenantAccess({ store, tokens: syncCore.tokens, runner: syncCore.runner, logger }), store }));
  }
  router.use(deviceApiRoutes({ devices: deps.devices.service, callerOf }));
  return router;
}
