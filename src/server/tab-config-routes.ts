import { Router } from 'express';
import type { Config } from '../config/config.js';

/** What the tab needs to sign in with msal-browser outside Teams; public, since it is in every SPA bundle anyway. */
export interface TabConfig {
  clientId: string;
  /** Multi-tenant: any organisation's users sign in; the server checks their tenant on every call. */
  authority: string;
  /** Hosts MSAL may trust without instance discovery (the dev tenant is not a Microsoft cloud). */
  knownAuthorities: string[];
  /** The scope of the tab's API token: `{identifierUri}/access_as_user`. */
  apiScope: string;
}

/** GET /api/tab-config: the tab's sign-in settings, or 503 NotConfigured without an app registration. */
export function tabConfigRoutes(config: Config): Router {
  const router = Router();
  router.get('/tab-config', (_req, res) => {
    const { clientId, identifierUri, authorityHost } = config.entra;
    if (!clientId || !identifierUri) {
      res.status(503).json({ error: { code: 'NotConfigured', message: 'Switchboard has no Entra app registration yet (AAD_APP_CLIENT_ID, TAB_DOMAIN, BOT_ID).' } });
      return;
    }
    const body: TabConfig = { clientId, authority: `${authorityHost}/organizations`, knownAuthorities: [new URL(authorityHost).host], apiScope: `${identifierUri}/access_as_user` };
    res.set('cache-control', 'no-cache').json(body);
  });
  return router;
}
