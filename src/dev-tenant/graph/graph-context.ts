import type { Response } from 'express';
import type { Logger } from 'pino';
import type { DenialLog } from '../denials.js';
import type { FaultSwitches } from '../faults.js';
import type { DevRegistry, DevTenant } from '../registry.js';
import type { GraphCaller, TokenService } from '../tokens.js';
import type { StateTokens } from './state-tokens.js';

/** What the dev Graph needs from the rest of the stand-in. */
export interface GraphDeps {
  registry: DevRegistry;
  tokens: Pick<TokenService, 'verifyGraphAccessToken'>;
  faults: FaultSwitches;
  denials: DenialLog;
  /** Origin the router is reached at, e.g. https://localhost:53100; links are `${baseUrl}/v1.0/...`. */
  baseUrl: string;
  now?: () => number;
  logger?: Logger;
}

/** The deps with defaults filled in, shared by every route module. */
export interface GraphServices extends Omit<GraphDeps, 'now'> {
  now: () => number;
  /** `${baseUrl}/v1.0`: the service root every absolute link starts with. */
  serviceRoot: string;
  stateTokens: StateTokens;
}

/** Per-request state, kept in `res.locals.graph`. */
export interface GraphContext {
  requestId: string;
  clientRequestId: string;
  /** Set once the bearer token is verified. */
  caller?: GraphCaller;
  tenant?: DevTenant;
}

export function graphContext(res: Response): GraphContext {
  const ctx = res.locals.graph as GraphContext | undefined;
  if (!ctx) throw new Error('graph context missing: requestIds middleware must run first');
  return ctx;
}

/** The verified caller and its tenant; only valid after `authenticate`. */
export function callerOf(res: Response): { caller: GraphCaller; tenant: DevTenant } {
  const { caller, tenant } = graphContext(res);
  if (!caller || !tenant) throw new Error('caller missing: authenticate must run first');
  return { caller, tenant };
}
