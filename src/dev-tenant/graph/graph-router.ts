import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { authenticate } from './authentication.js';
import { batchHandler, isBatchItem } from './batch.js';
import { deltaRoutes } from './delta.js';
import { callerOf, type GraphDeps, type GraphServices } from './graph-context.js';
import { errorBody, GraphError, renderGraphError, requestIds, unknownSegment } from './graph-errors.js';
import { groupRoutes } from './groups.js';
import { membershipRoutes } from './memberships.js';
import { photoRoutes } from './photos.js';
import { StateTokens } from './state-tokens.js';
import { userRoutes } from './users.js';

export type { GraphDeps } from './graph-context.js';

/**
 * The dev tenant's Microsoft Graph v1.0, to be mounted at `/v1.0`. Wiring only: request ids,
 * authentication, fault switches, path aliases, then the resource routes and Graph-shaped errors.
 */
export function graphRouter(deps: GraphDeps): Router {
  const svc: GraphServices = {
    ...deps,
    now: deps.now ?? Date.now,
    serviceRoot: `${deps.baseUrl.replace(/\/+$/, '')}/v1.0`,
    stateTokens: new StateTokens(),
  };
  const router = express.Router();
  router.use(requestIds);
  router.use(express.json({ limit: '4mb' }));
  router.use(authenticate(svc));
  router.use(
    svc.faults.middleware({
      respond: (_req, res, fault) => sendFault(svc, res, fault),
      // A batch envelope meets connection faults; its items meet throttling and outages one by one.
      exposure: (req, res) => (isBatchItem(res) ? { transport: false, service: true } : isBatch(req) ? { transport: true, service: false } : { transport: true, service: true }),
    }),
  );
  router.use(aliases);
  router.post('/$batch', batchHandler(svc, router));
  router.use(deltaRoutes(svc));
  router.use(photoRoutes(svc));
  router.use(membershipRoutes(svc));
  router.use(userRoutes(svc));
  router.use(groupRoutes(svc));
  router.use(unknownSegment);
  router.use(renderGraphError(svc));
  return router;
}

function isBatch(req: Request): boolean {
  return req.method === 'POST' && /^\/\$batch\/?$/i.test(req.path);
}

/**
 * `/me/...` is `/users/{signed-in user}/...` (app-only tokens get Graph's 400); SDK-style fully
 * qualified names (`microsoft.graph.delta`, `delta()`) are the short ones.
 */
const aliases: RequestHandler = (req, res, next) => {
  let url = req.url
    .replace(/\/microsoft\.graph\.(delta|checkMemberGroups|getMemberGroups)(\(\))?(?=[/?]|$)/gi, '/$1')
    .replace(/\/delta\(\)(?=[/?]|$)/i, '/delta');
  if (/^\/me(?=[/?]|$)/i.test(url)) {
    const { caller } = callerOf(res);
    if (!caller.userId) return next(new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.'));
    url = `/users/${encodeURIComponent(caller.userId)}${url.slice(3)}`;
  }
  req.url = url;
  next();
};

/**
 * 429 and 503 as Graph sends them for directory requests: Retry-After in seconds, and for 429 the
 * x-ms-throttle-scope and x-ms-throttle-information headers (https://learn.microsoft.com/graph/throttling-limits).
 */
function sendFault(svc: GraphServices, res: Response, fault: { status: 429 | 503; retryAfterSeconds: number }): void {
  res.setHeader('Retry-After', String(fault.retryAfterSeconds));
  if (fault.status === 429) {
    const { caller, tenant } = callerOf(res);
    res.setHeader('x-ms-throttle-scope', `Tenant_Application/ReadWrite/${caller.appId}/${tenant.id}`);
    res.setHeader('x-ms-throttle-information', 'ResourceUnitLimitExceeded');
    res.status(429).json(errorBody(res, 'TooManyRequests', 'Too many requests: the application exceeded its resource unit limit. Retry after the delay in Retry-After.', svc.now()));
    return;
  }
  res.status(503).json(errorBody(res, 'serviceNotAvailable', 'The service is temporarily unavailable. Retry after the delay in Retry-After.', svc.now()));
}
