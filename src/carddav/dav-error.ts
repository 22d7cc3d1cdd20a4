/**
 * DAV errors and the one place they become responses (https://www.rfc-editor.org/rfc/rfc4918#section-16).
 *
 * A DavError carries its HTTP status and, when a DAV precondition or postcondition failed, the
 * condition element that goes inside `<d:error>`: clients act on that element (DAVx5 and iOS restart
 * a sync on `valid-sync-token`, for instance), not on the status alone. Domain errors are translated
 * into DavErrors at the seams, keeping the original as `cause` for the log.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../log/logger.js';

/** Spelled out here rather than imported: xml.ts imports DavError, and this module stays cycle-free. */
const NS_DAV = 'DAV:';
const NS_SWITCHBOARD = 'urn:x-switchboard:dav';

export interface Condition {
  ns: string;
  local: string;
  /** Child content of the condition element, already serialized (e.g. need-privileges' resources). */
  content?: string;
}

export class DavError extends Error {
  readonly condition: Condition | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    options: { condition?: Condition; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DavError';
    this.condition = options.condition;
    this.headers = options.headers ?? {};
  }
}

/** A DAV: namespace condition, the usual case. */
export const davCondition = (local: string, content?: string): Condition => ({ ns: NS_DAV, local, ...(content === undefined ? {} : { content }) });

const escape = (s: string) => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

/** The `<d:error>` body of a DavError (RFC 4918 §16), with our message for people reading logs. */
export function errorBody(err: DavError): string {
  let condition = '';
  if (err.condition) {
    const c = err.condition;
    const open = c.ns === NS_DAV ? `d:${c.local}` : `c:${c.local} xmlns:c="${escape(c.ns)}"`;
    const close = c.ns === NS_DAV ? `d:${c.local}` : `c:${c.local}`;
    condition = c.content ? `<${open}>${c.content}</${close}>` : `<${open}/>`;
  }
  return `<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="${NS_DAV}" xmlns:s="${NS_SWITCHBOARD}">${condition}<s:message>${escape(err.message)}</s:message></d:error>\n`;
}

export function sendDavError(res: Response, err: DavError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  const body = errorBody(err);
  res.status(err.status).type('application/xml; charset=utf-8').setHeader('Content-Length', Buffer.byteLength(body));
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * The error handler of the CardDAV router. DavErrors are answered as they say; anything else is a
 * bug or an outage: logged with the request id and answered with a generic 500 that leaks nothing.
 * When a streamed multistatus already started, the only honest signal left is to cut the connection,
 * so the client sees a truncated body and retries instead of trusting half an answer.
 */
export function davErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const log = req.log ?? logger;
    const known = err instanceof DavError;
    if (res.headersSent) {
      // A client that hangs up mid-answer is routine (a phone leaving coverage), not a failure.
      if (res.destroyed || req.socket.destroyed) log.info({ err }, 'CardDAV client went away mid-response');
      else log.error({ err }, 'CardDAV response failed after it started');
      res.destroy();
      return;
    }
    if (!known || err.status >= 500) log.error({ err }, 'CardDAV request failed');
    else if (err.cause) log.info({ err }, `CardDAV request refused: ${err.message}`);
    sendDavError(res, known ? err : new DavError(500, 'Something went wrong on our side; the request id identifies it in the logs.'));
  };
}
