import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/** The dev tenant's browser session ("keep me signed in"), so prompt=none and SSO work as with Entra. */
export interface Session {
  tenantId: string;
  userId: string;
  mfa: boolean;
}

const COOKIE = 'devtenant_session';

export class SessionCookies {
  private readonly key = randomBytes(32);

  read(req: Request): Session | undefined {
    const raw = parseCookies(req.get('cookie'))[COOKIE];
    if (!raw) return undefined;
    const [payload, mac] = raw.split('.');
    if (!payload || !mac) return undefined;
    const expected = createHmac('sha256', this.key).update(payload).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Session;
    } catch {
      return undefined;
    }
  }

  write(res: Response, session: Session): void {
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    const mac = createHmac('sha256', this.key).update(payload).digest('base64url');
    // SameSite=None: silent sign-in runs in a hidden iframe on the app's origin.
    res.cookie(COOKIE, `${payload}.${mac}`, { httpOnly: true, secure: true, sameSite: 'none', path: '/' });
  }

  clear(res: Response): void {
    res.clearCookie(COOKIE, { httpOnly: true, secure: true, sameSite: 'none', path: '/' });
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}
