import express, { type Express } from 'express';
import type { Logger } from '../log/logger.js';
import { controlRoutes } from './control-routes.js';
import { DenialLog, denialRoutes } from './denials.js';
import { FaultSwitches, faultRoutes } from './faults.js';
import { graphRouter } from './graph/graph-router.js';
import { GrantStore } from './identity/grant-store.js';
import { identityRouter } from './identity/identity-router.js';
import { SessionCookies } from './identity/sessions.js';
import { DevRegistry } from './registry.js';
import { newTenant, seedSampleOrganisation, switchboardApp, type SwitchboardRegistration } from './sample-organisation.js';
import { SigningKeys } from './signing-keys.js';
import { generateSyntheticTenant } from './synthetic.js';
import { TokenService } from './tokens.js';

export interface DevTenantOptions {
  /** Where the stand-in is reached, e.g. https://localhost:53100: issuer, endpoints and links use it. */
  baseUrl: string;
  switchboard: SwitchboardRegistration;
  password: string;
  /** An extra synthetic tenant for benchmarks (`--users 100000 --groups 2000 --seed 1`). */
  synthetic?: { users: number; groups: number; seed: number };
  logger?: Logger;
  now?: () => number;
}

export interface DevTenant {
  app: Express;
  registry: DevRegistry;
  tokens: TokenService;
  keys: SigningKeys;
  faults: FaultSwitches;
  denials: DenialLog;
}

export const SYNTHETIC_TENANT_ID = '5e5e5e5e-0000-4000-8000-000000000001';

/**
 * The local stand-in for Microsoft Entra ID (v2 endpoints) and Microsoft Graph v1.0, as one express
 * app: identity at /{tenant}/…, Graph at /v1.0, and the dev-only control API at /_dev.
 */
export async function createDevTenant(options: DevTenantOptions): Promise<DevTenant> {
  const now = options.now ?? Date.now;
  const registry = new DevRegistry(options.password);
  seedSampleOrganisation(registry, switchboardApp(options.switchboard), now);
  if (options.synthetic) {
    const tenant = newTenant(SYNTHETIC_TENANT_ID, 'synthetic.example', 'Synthetic', now);
    generateSyntheticTenant(tenant.directory, options.synthetic);
    const app = registry.apps.get(options.switchboard.clientId)!;
    tenant.consents.grantForAll(app.clientId, app.requiredScopes);
    registry.addTenant(tenant);
  }
  const keys = await SigningKeys.create();
  const tokens = new TokenService(keys, options.baseUrl, now);
  const faults = new FaultSwitches();
  const denials = new DenialLog();

  const app = express();
  app.disable('x-powered-by');
  app.get('/', (_req, res) => {
    res.json({ service: 'Switchboard local dev tenant', tenants: `${options.baseUrl}/_dev/tenants`, graph: `${options.baseUrl}/v1.0` });
  });
  app.use('/_dev/faults', faultRoutes(faults));
  app.use('/_dev/denials', denialRoutes(denials));
  app.use('/_dev', controlRoutes({ registry, keys }));
  app.use('/v1.0', graphRouter({ registry, tokens, faults, denials, baseUrl: options.baseUrl, now, ...(options.logger ? { logger: options.logger } : {}) }));
  app.use(identityRouter({ registry, tokens, keys, grants: new GrantStore(now), sessions: new SessionCookies() }));
  return { app, registry, tokens, keys, faults, denials };
}
