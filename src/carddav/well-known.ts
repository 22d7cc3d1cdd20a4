/**
 * Service discovery (https://www.rfc-editor.org/rfc/rfc6764#section-5): `/.well-known/carddav`
 * redirects to the DAV root for every method, PROPFIND included, without asking for credentials;
 * the client then authenticates at the target, whose current-user-principal leads on.
 *
 * 301 rather than 308: okhttp (DAVx5) follows 307/308 only for GET and HEAD, while 301 keeps a
 * PROPFIND a PROPFIND in okhttp, Thunderbird's Necko, aiohttp (vdirsyncer) and Apple's clients.
 * macOS relies on this path and ignores the principal URL of a configuration profile.
 */
import type { RequestHandler } from 'express';
import { DAV_ROOT } from './resources.js';

export const WELL_KNOWN_CARDDAV = '/.well-known/carddav';

export const wellKnownRedirect: RequestHandler = (_req, res) => {
  res.setHeader('Cache-Control', 'no-cache');
  res.redirect(301, DAV_ROOT);
};
