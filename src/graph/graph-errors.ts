import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';

/**
 * Graph could not be reached after the bounded network retries (connection reset, socket hang up,
 * timeouts). A GraphClientError so the SDK passes it through unchanged instead of wrapping it in a
 * GraphError with status -1.
 */
export class GraphUnreachable extends GraphClientError {
  constructor(
    readonly url: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`Microsoft Graph could not be reached for ${url} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describe(options.cause)}`);
    // GraphClientError's constructor pins its own prototype; restore the subclass's.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'GraphUnreachable';
    this.cause = options.cause;
  }
}

/** What a failed Graph call said, read from the SDK's GraphError: handle by `code` (FIELD-NOTES). */
export interface GraphFailure {
  status: number;
  code: string | null;
  message: string;
  requestId: string | null;
  headers: Headers | undefined;
}

export function graphFailure(err: unknown): GraphFailure | undefined {
  if (!(err instanceof GraphError)) return undefined;
  return { status: err.statusCode, code: err.code, message: err.message, requestId: err.requestId, headers: err.headers };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${err.message} (${code})` : err.message;
}
