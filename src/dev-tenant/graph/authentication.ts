import type { Request, RequestHandler } from 'express';
import { TokenError } from '../tokens.js';
import { graphContext, type GraphServices } from './graph-context.js';
import { GraphError } from './graph-errors.js';

/**
 * Every Graph request needs a valid bearer token for Graph: a missing, expired, forged or foreign
 * token is answered 401 InvalidAuthenticationToken with a WWW-Authenticate challenge, as Graph does
 * (https://learn.microsoft.com/graph/errors), and recorded in the denial log.
 */
export function authenticate(svc: GraphServices): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!match) return next(unauthenticated(svc, req, 'missing-token', 'Access token is empty.'));
    let caller;
    try {
      caller = await svc.tokens.verifyGraphAccessToken(match[1]!);
    } catch (err) {
      if (!(err instanceof TokenError)) return next(err);
      return err.reason === 'expired'
        ? next(unauthenticated(svc, req, 'expired-token', 'Lifetime validation failed, the token is expired.'))
        : next(unauthenticated(svc, req, 'invalid-token', 'Access token validation failure. Invalid audience or signature.'));
    }
    const tenant = svc.registry.findTenant(caller.tenantId);
    if (!tenant) return next(unauthenticated(svc, req, 'unknown-tenant', 'Access token validation failure. The tenant does not exist.'));
    const ctx = graphContext(res);
    ctx.caller = caller;
    ctx.tenant = tenant;
    next();
  };
}

function unauthenticated(svc: GraphServices, req: Request, reason: string, message: string): GraphError {
  svc.denials.record({
    status: 401,
    tenantId: null,
    appId: null,
    userId: null,
    method: req.method,
    path: req.originalUrl.split('?')[0] ?? req.originalUrl,
    reason,
    required: [],
    granted: [],
  });
  return new GraphError(401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", authorization_uri="${svc.baseUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
  });
}
