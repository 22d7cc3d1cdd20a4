import type { RequestHandler } from 'express';

/**
 * Teams loads the tab in an iframe from its own origins, so instead of X-Frame-Options we list the
 * hosts allowed to frame us (Microsoft's list for Teams, Outlook and Microsoft 365 hosts).
 */
const FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.cloud.microsoft',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://*.microsoft365.com',
  'https://*.skype.com',
];

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  res.setHeader('Content-Security-Policy', `frame-ancestors ${FRAME_ANCESTORS.join(' ')}`);
  res.setHeader('Strict-Transport-Security', 'max-age=31536000');
  next();
};
