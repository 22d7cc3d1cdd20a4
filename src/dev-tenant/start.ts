import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { listen, type RunningServer } from '../server/http-server.js';
import { createDevTenant, type DevTenant, type DevTenantOptions } from './dev-tenant.js';

/** Starts the dev tenant over HTTPS on its own port (MSAL refuses http authorities). */
export async function startDevTenant(
  config: Config,
  tls: { certPem: string; keyPem: string },
  logger: Logger,
  extra: Pick<DevTenantOptions, 'synthetic'> = {},
): Promise<{ devTenant: DevTenant; server: RunningServer; url: string }> {
  const { clientId, clientSecret, identifierUri } = config.entra;
  if (!clientId || !clientSecret || !identifierUri || !config.devTenant.password) {
    throw new Error('The dev tenant needs AAD_APP_CLIENT_ID, SECRET_AAD_APP_CLIENT_SECRET, TAB_DOMAIN, BOT_ID and DEV_TENANT_PASSWORD');
  }
  const url = `https://localhost:${config.devTenant.port}`;
  const devTenant = await createDevTenant({
    baseUrl: url,
    switchboard: { clientId, clientSecret, identifierUri, appUrl: config.publicUrl },
    password: config.devTenant.password,
    logger: logger.child({ component: 'dev-tenant' }),
    ...extra,
  });
  const server = await listen(devTenant.app, { host: config.host, port: config.devTenant.port, tls });
  logger.info({ url }, 'dev tenant listening');
  return { devTenant, server, url };
}
