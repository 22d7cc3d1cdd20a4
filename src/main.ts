import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from './config/config.js';
import { loadConfig } from './config/load-config.js';
import { startDevTenant } from './dev-tenant/start.js';
import { createLogger } from './log/logger.js';
import { projectRoot, version } from './project.js';
import { createApp } from './server/app.js';
import { listen, type RunningServer } from './server/http-server.js';
import { openStore } from './store/store.js';
import { createSyncCore } from './sync-core.js';
import { tabApiRouter } from './server/tab-api.js';
import { createDevices } from './devices/create-devices.js';
import { onboardingRoutes } from './devices/onboarding-routes.js';
import { carddavRoutes } from './carddav/routes.js';
import { dataCipher } from './crypto/data-cipher.js';
import { ensureDevCertificates } from './tls/dev-certificates.js';
import { trustExtraCertificateAuthority } from './tls/outbound-trust.js';
import { createBot, type Bot } from '../bot/create-bot.js';

/** Composition root: configuration → TLS → store → app → listener, and the way back down on SIGTERM. */
async function main(): Promise<void> {
  let config: Config;
  let generated: string[];
  try {
    ({ config, generated } = loadConfig({ cwd: process.cwd() }));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSettings come from env/.env.<TEAMSFX_ENV>, env/.env.<TEAMSFX_ENV>.user and the environment; see docs/configuration.md.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  if (generated.length > 0) logger.info({ generated, file: `env/.env.${config.env}.user` }, 'generated local secrets');

  const tls = loadTls(config);
  const store = openStore(config.store);
  const migrations = await store.migrate();
  logger.info({ store: config.store.kind, migrations: migrations.applied.length }, 'store ready');

  let devTenantServer: RunningServer | undefined;
  if (config.devTenant.enabled) {
    if (!tls) throw new Error('DEV_TENANT=on needs TLS (TLS_MODE dev-ca or files): MSAL only accepts https authorities');
    devTenantServer = (await startDevTenant(config, tls, logger)).server;
  }

  // The sync core needs the app registration; without it (an API-only dev setup) the server still serves.
  const syncCore = config.entra.clientId && config.entra.clientSecret ? createSyncCore(config, store, logger) : undefined;
  if (syncCore) syncCore.scheduler.start();
  else logger.warn('AAD_APP_CLIENT_ID or SECRET_AAD_APP_CLIENT_SECRET not set: directory sync is off');

  // The bot tells users when an administrator revokes their devices; it needs the devices service, so the hook binds late.
  let bot: Bot | undefined;
  const devices = createDevices({ store, config, onRevokedByAdmin: (event) => bot?.onRevokedByAdmin(event) });
  bot = createBot({ config: config.bot, store, devices: devices.service, cipher: dataCipher(config), logger: logger.child({ component: 'bot' }) });
  bot?.watcher.start();

  let shuttingDown = false;
  const app = createApp({
    logger, store, version, tabDir: path.join(projectRoot, 'dist', 'tab'), trustedProxies: config.trustedProxies,
    // The bot first: the tab API's token check would refuse Bot Framework requests.
    apiRouters: [...(bot ? [bot.router] : []), tabApiRouter({ config, store, syncCore, devices, logger })],
    routers: [
      { path: '/enroll', router: onboardingRoutes({ devices: devices.service }) },
      { path: '/', router: carddavRoutes({ authenticator: devices.authenticator, db: store.db, cipher: dataCipher(config), publicUrl: config.publicUrl, logger, cardCacheBytes: config.carddavCacheBytes }) },
    ],
  });
  const server = await listen(app, { host: config.host, port: config.port, ...(tls ? { tls } : {}) });
  logger.info({ port: server.port, url: config.publicUrl }, 'listening');
  printBanner(config);

  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: draining requests');
    await syncCore?.scheduler.stop();
    await bot?.watcher.stop();
    await Promise.all([server.close(config.shutdownGraceMs), devTenantServer?.close(config.shutdownGraceMs)]);
    await store.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function loadTls(config: Config): { certPem: string; keyPem: string } | undefined {
  switch (config.tls.mode) {
    case 'off':
      return undefined;
    case 'files':
      return { certPem: fs.readFileSync(config.tls.certFile, 'utf8'), keyPem: fs.readFileSync(config.tls.keyFile, 'utf8') };
    case 'dev-ca': {
      const certs = ensureDevCertificates(config.tls.dir, [new URL(config.publicUrl).hostname]);
      // Our own outbound calls (to the dev tenant, to ourselves) must trust what we serve.
      trustExtraCertificateAuthority(certs.caPem);
      return certs;
    }
  }
}

function printBanner(config: Config): void {
  const lines = [
    '',
    `  Switchboard ${version} is running (${config.store.kind} store, env "${config.env}")`,
    `  Tab:    ${config.publicUrl}/`,
    `  Health: ${config.publicUrl}/healthz`,
  ];
  if (config.devTenant.enabled) {
    lines.push(
      `  Dev tenant (stand-in for Entra ID + Graph): https://localhost:${config.devTenant.port}/_dev/tenants`,
      `    Its users: ethan.walker@contoso.example (Contoso admin), amelia.hart@contoso.example, …; password ${config.devTenant.password}`,
    );
  }
  if (config.bot.mode === 'local') lines.push(`  Bot:    ${config.publicUrl}/api/messages, without authentication (local mode): try it with npm run playground`);
  if (config.tls.mode === 'dev-ca') {
    lines.push(`  TLS:    signed by a local CA at ${path.join(config.tls.dir, 'ca.crt')} (trust it in your browser to avoid a warning)`);
  }
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(`Switchboard failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
