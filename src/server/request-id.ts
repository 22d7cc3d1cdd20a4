import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

// A caller's id is echoed only if it is short and plain, so it cannot inject into logs or headers.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request id for pino-http's genReqId: honours `x-request-id` / `client-request-id` from a proxy or
 * client (Graph clients send the latter), otherwise makes one; echoed on the response.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'] ?? req.headers['client-request-id'];
  const id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}
