import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { notFound, renderError } from './errors.js';
import { healthRoutes } from './health-routes.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

export interface AppDeps {
  logger: Logger;
  store: Store;
  version: string;
  /** Folder with the built tab (index.html + assets); absent in API-only tests. */
  tabDir?: string;
  /** Feature routers under /api (they get parsed JSON bodies), e.g. the devices API. */
  apiRouters?: Router[];
  /** Who may set X-Forwarded-For (TRUSTED_PROXIES); loopback when absent. */
  trustedProxies?: string[];
  /** Feature routers at their own paths before the tab, e.g. /enroll and CardDAV ('/'). */
  routers?: { path: string; router: Router }[];
}

/** Builds the express app: the one HTTP surface for tab, API, bot and CardDAV. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The client address feeds the credential-check rate limits: only named proxies may state it.
  app.set('trust proxy', deps.trustedProxies ?? ['loopback']);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: requestId,
      // Probes every few seconds would drown the log.
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(securityHeaders);
  app.use(healthRoutes({ store: deps.store, version: deps.version, startedAt: Date.now() }));

  const api = express.Router();
  // Bounded bodies: the tab API's largest request (a policy) is a few KB.
  api.use(express.json({ limit: '100kb' }));
  for (const router of deps.apiRouters ?? []) api.use(router);
  api.use(notFound);
  app.use('/api', api);
  for (const { path: at, router } of deps.routers ?? []) app.use(at, router);

  if (deps.tabDir && fs.existsSync(path.join(deps.tabDir, 'index.html'))) {
    const tabDir = deps.tabDir;
    // Hashed asset names never change content, so they may be cached for a year; index.html never.
    app.use('/assets', express.static(path.join(tabDir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
    app.use(express.static(tabDir, { index: false, maxAge: 0 }));
    // /auth/* are the tab's sign-in pages (msal-browser redirect URIs and the Teams consent pop-up).
    app.get(['/', '/tab', '/tab/*rest', '/auth/*rest'], (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(tabDir, 'index.html'));
    });
  }

  app.use(notFound);
  app.use(renderError);
  return app;
}
