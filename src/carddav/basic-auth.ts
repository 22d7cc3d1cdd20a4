/**
 * HTTP Basic authentication of devices (https://www.rfc-editor.org/rfc/rfc7617), the scheme iOS,
 * DAVx5 and Thunderbird send. Checking the credentials is the DeviceAuthenticator's job (keyed
 * hashes, rate limits, revocation); this module only reads the header and answers the challenge.
 */
import type { Request } from 'express';
import type { DeviceAuthenticator, DevicePrincipal } from '../devices/device-principal.js';
import { DavError } from './dav-error.js';

export const REALM = 'Switchboard';

/** The user name and password of a Basic Authorization header, or undefined. */
export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = header && /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // The user name (a device id) cannot contain a colon; the password may.
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function challenge(message: string): DavError {
  return new DavError(401, message, { headers: { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` } });
}

/** The principal of the request's credentials; throws 401 (or 429 when rate-limited). */
export async function authenticateDevice(authenticator: Pick<DeviceAuthenticator, 'authenticate'>, req: Request): Promise<DevicePrincipal> {
  const credentials = parseBasic(req.headers.authorization);
  if (!credentials) throw challenge('Sign in with the user name and password Switchboard gave this device.');
  // req.ip honours the app's `trust proxy` setting: behind a load balancer, the client's address.
  const result = await authenticator.authenticate(credentials.username, credentials.password, req.ip ?? req.socket.remoteAddress ?? '');
  if (result === 'rate-limited') throw new DavError(429, 'Too many failed sign-ins; try again in a minute.', { headers: { 'Retry-After': '60' } });
  // Unknown, revoked and wrong credentials all read the same.
  if (!result) throw challenge('The user name or password is wrong, or this device was removed.');
  return result;
}
