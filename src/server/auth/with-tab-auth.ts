import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../log/logger.js';
import { HttpError } from '../errors.js';
import { TokenRejected, type TabCaller, type TabTokenValidator } from './tab-token-validator.js';

const CALLER = Symbol('switchboard.caller');

/**
 * Requires a valid tab token on every request it guards and attaches the caller. Refusals are 401
 * with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750) and no detail; the reason is logged.
 */
export function withTabAuth(deps: { validator: Pick<TabTokenValidator, 'validate'>; logger: Logger }): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const token = header?.match(/^Bearer ([A-Za-z0-9._~+/=-]+)$/)?.[1];
    if (!token) return next(unauthorized('A bearer token is required'));
    try {
      (req as Request & { [CALLER]?: TabCaller })[CALLER] = await deps.validator.validate(token);
      next();
    } catch (err) {
      if (!(err instanceof TokenRejected)) return next(err);
      (req.log ?? deps.logger).info({ reason: err.reason }, 'tab token refused');
      next(unauthorized('The token is not valid for Switchboard'));
    }
  };
}

/** The validated caller of a request behind withTabAuth, or undefined. */
export function callerOf(req: Request): TabCaller | undefined {
  return (req as Request & { [CALLER]?: TabCaller })[CALLER];
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'Unauthorized', message, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
}
