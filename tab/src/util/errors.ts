import { ApiRequestError } from '../api/client';

/** An aborted fetch: a superseded request, never worth showing. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** The API's error code, or undefined for network and other failures. */
export function apiErrorCode(err: unknown): string | undefined {
  return err instanceof ApiRequestError ? err.code : undefined;
}

/** A sentence for an error: the server's message, or what went wrong on the way. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiRequestError) return err.message;
  // fetch rejects with a TypeError when the network is down or the server unreachable.
  if (err instanceof TypeError) return 'Switchboard could not reach its server. Check your connection and try again.';
  return err instanceof Error ? err.message : String(err);
}
