import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { EnrollmentUnavailable, NoAccess, TooManyDevices } from './device-errors.js';
import type { DevicesService } from './devices.js';
import { PAGE_CSP } from './html.js';
import { buildMobileconfig, MOBILECONFIG_CONTENT_TYPE } from './mobileconfig.js';
import { credentialsPage, landingPage, problemPage } from './onboarding-pages.js';
import { detectPlatform, isMobileSafari, parsePlatform } from './platform.js';

export interface OnboardingDeps {
  devices: Pick<DevicesService, 'enrollmentStatus' | 'redeemEnrollment' | 'hasProfileDownload' | 'takeProfileDownload'>;
  /** The account's name in Contacts settings. */
  accountDescription?: string;
}

/**
 * The pages behind an enrollment link (mount at `/enroll`):
 *
 * - `GET /:token` shows what will happen on this platform and a button; it never consumes the link.
 *   Teams, Outlook, iMessage and Slack fetch a pasted link to build its preview, and mail scanners
 *   fetch every link: a GET that redeemed would burn the link before the person taps it.
 * - `POST /:token` (the button) redeems the link and shows the credentials, once.
 * - `GET /:token/profile.mobileconfig?download=KEY` serves the Apple profile once, with the one-time
 *   key made at redemption (the secret is not stored; the key unseals it). HEAD only looks.
 *
 * Every answer is `no-store` (credentials must not sit in caches), `no-referrer` (the token is in
 * the URL) and `noindex`.
 */
export function onboardingRoutes(deps: OnboardingDeps): Router {
  const router = express.Router();
  router.use(pageHeaders);
  router.get('/:token', landing(deps));
  router.post('/:token', express.urlencoded({ extended: false, limit: '1kb', parameterLimit: 10 }), redeem(deps));
  router.head('/:token/profile.mobileconfig', profileHead(deps));
  router.get('/:token/profile.mobileconfig', profile(deps));
  return router;
}

const pageHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  next();
};

function landing(deps: OnboardingDeps): RequestHandler {
  return async (req, res) => {
    const token = param(req, 'token');
    const status = await deps.devices.enrollmentStatus(token);
    if (status.state !== 'valid') return sendProblem(res, new EnrollmentUnavailable(status.state));
    const ua = req.get('user-agent');
    const minutesLeft = Math.ceil(status.msLeft / 60_000);
    sendPage(res, 200, landingPage({ platform: detectPlatform(ua), inSafari: isMobileSafari(ua), actionPath: `${req.baseUrl}/${token}`, minutesLeft }));
  };
}

function redeem(deps: OnboardingDeps): RequestHandler {
  return async (req, res) => {
    const token = param(req, 'token');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const platform = parsePlatform(body.platform) ?? detectPlatform(req.get('user-agent'));
    try {
      const redeemed = await deps.devices.redeemEnrollment(token, platform);
      const profileHref = redeemed.profileDownload && `${req.baseUrl}/${token}/profile.mobileconfig?download=${redeemed.profileDownload.key}`;
      sendPage(res, 200, credentialsPage({ platform, credentials: redeemed.credentials, ...(profileHref ? { profileHref } : {}) }));
    } catch (err) {
      sendProblem(res, err);
    }
  };
}

function profileHead(deps: OnboardingDeps): RequestHandler {
  return async (req, res) => {
    const waiting = await deps.devices.hasProfileDownload(param(req, 'token'), query(req, 'download'));
    res.status(waiting ? 200 : 410).type(waiting ? MOBILECONFIG_CONTENT_TYPE : 'html').end();
  };
}

function profile(deps: OnboardingDeps): RequestHandler {
  return async (req, res) => {
    const credentials = await deps.devices.takeProfileDownload(param(req, 'token'), query(req, 'download'));
    if (!credentials) {
      return sendPage(res, 410, problemPage('This download is no longer available', 'The profile can be downloaded once, within 10 minutes of connecting. The device already exists without it: revoke it in the Switchboard tab in Teams and start again.'));
    }
    const body = buildMobileconfig({
      urls: credentials,
      username: credentials.username,
      password: credentials.password,
      deviceId: credentials.deviceId,
      accountDescription: deps.accountDescription ?? 'Company contacts',
    });
    res.status(200);
    res.setHeader('Content-Type', MOBILECONFIG_CONTENT_TYPE);
    res.setHeader('Content-Disposition', 'attachment; filename="company-contacts.mobileconfig"');
    res.send(Buffer.from(body, 'utf8'));
  };
}

/** Translates the domain's refusals into a page that says what happened and what to do. */
function sendProblem(res: Response, err: unknown): void {
  if (err instanceof EnrollmentUnavailable) {
    const title = err.reason === 'used' ? 'This link has already been used' : err.reason === 'expired' ? 'This link has expired' : 'This link is not valid';
    return sendPage(res, err.reason === 'unknown' ? 404 : 410, problemPage(title, err.message));
  }
  if (err instanceof NoAccess) return sendPage(res, 403, problemPage('No company contacts for this account', err.message));
  if (err instanceof TooManyDevices) return sendPage(res, 409, problemPage('Too many devices', err.message));
  throw err;
}

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

function param(req: Request, name: string): string {
  const v = (req.params as Record<string, string | undefined>)[name];
  return typeof v === 'string' ? v : '';
}

function query(req: Request, name: string): string {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}
