import type { ErrorRequestHandler, RequestHandler } from 'express';

/**
 * An error that knows its HTTP meaning; rendered as `{"error":{"code","message"}}`, plus `issues`
 * when given (the problems of a rejected document, e.g. InvalidPolicy's PolicyIssue list).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly issues?: readonly { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NotFound', `No route for ${req.method} ${req.baseUrl}${req.path}`));
};

const CLIENT_ERROR_CODES: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
};

/** The one place errors become responses; unexpected ones are logged and never echoed to the caller. */
export const renderError: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let code = 'InternalError';
  let message = 'Something went wrong on our side; the request id identifies it in the logs.';
  let issues: HttpError['issues'];
  if (err instanceof HttpError) {
    ({ status, code, message, issues } = err);
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  } else if (isClientError(err)) {
    // http-errors from express's own middleware (body parsing, static files). Those not marked
    // `expose` may carry file paths, so they get a generic message.
    status = err.status;
    code = CLIENT_ERROR_CODES[status] ?? 'BadRequest';
    message = err.expose ? err.message : `${code} (${status})`;
  } else {
    req.log?.error({ err }, 'unhandled error');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ error: { code, message, requestId: res.getHeader('x-request-id'), ...(issues ? { issues } : {}) } });
};

function isClientError(err: unknown): err is { status: number; message: string; expose?: boolean } {
  if (typeof err !== 'object' || err === null) return false;
  const { status } = err as { status?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500;
}
