import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { HttpError } from '../../server/errors.js';
import { DirectoryError } from '../directory.js';
import { graphContext, type GraphServices } from './graph-context.js';

/**
 * Graph's error responses: `{"error":{"code","message","innerError":{"date","request-id",
 * "client-request-id"}}}`, with `request-id` and `client-request-id` response headers on every
 * answer (https://learn.microsoft.com/graph/errors). Clients are told to branch on `code`.
 */
export class GraphError extends HttpError {
  override name = 'GraphError';
}

// A client's id is echoed only if it is short and plain, so it cannot inject into headers or logs.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives each request a request-id and echoes the caller's client-request-id (or reuses the request-id). */
export const requestIds: RequestHandler = (req, res, next) => {
  const requestId = randomUUID();
  const given = req.get('client-request-id');
  const clientRequestId = given && SAFE_ID.test(given) ? given : requestId;
  res.locals.graph = { requestId, clientRequestId };
  res.setHeader('request-id', requestId);
  res.setHeader('client-request-id', clientRequestId);
  next();
};

export function errorBody(res: Response, code: string, message: string, now: number): object {
  const { requestId, clientRequestId } = graphContext(res);
  // Graph's innerError date has second precision and no zone designator.
  const date = new Date(now).toISOString().slice(0, 19);
  return { error: { code, message, innerError: { date, 'request-id': requestId, 'client-request-id': clientRequestId } } };
}

export function sendGraphError(res: Response, err: GraphError, now: number): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json(errorBody(res, err.code, err.message, now));
}

/** Directory errors carry Graph's own 404/400 messages; only the code is added here. */
function fromDirectoryError(err: DirectoryError): GraphError {
  if (err.kind === 'notFound') return new GraphError(404, 'Request_ResourceNotFound', err.message);
  return new GraphError(400, 'Request_BadRequest', err.message);
}

/** The Graph router's error handler: Graph-shaped bodies; unexpected errors are logged, never echoed. */
export function renderGraphError(svc: GraphServices): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let graphError: GraphError;
    if (err instanceof GraphError) graphError = err;
    else if (err instanceof DirectoryError) graphError = fromDirectoryError(err);
    else if (isBodyParserError(err)) graphError = new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    else {
      svc.logger?.error({ err, path: req.originalUrl }, 'dev graph: unexpected error');
      graphError = new GraphError(500, 'generalException', 'An unexpected error occurred in the dev tenant; the request-id identifies it in the logs.');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendGraphError(res, graphError, svc.now());
  };
}

/**
 * Graph's answer to a path it has no resource for; a write to a read-only path is 405, as in the
 * json-batching page's example.
 */
export const unknownSegment: RequestHandler = (req, _res, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return next(new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'));
  }
  const segment = req.path.split('/').filter(Boolean).at(-1) ?? '';
  next(new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`));
};

function isBodyParserError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
}
