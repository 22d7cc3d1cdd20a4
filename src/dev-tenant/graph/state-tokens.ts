import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Skip and delta tokens. Graph documents them as opaque state tokens that encode the query they
 * continue (https://learn.microsoft.com/graph/delta-query-overview#state-tokens); here they carry
 * their state in the clear and an HMAC over it, with a key made per process, so a client can neither
 * forge nor edit one. A restart therefore invalidates outstanding tokens, as a real resync would.
 */
export class StateTokens {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  sign(payload: object): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The payload, or undefined when the token was not made by this process or was altered. */
  verify<T extends object>(token: string): T | undefined {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      return typeof payload === 'object' && payload !== null ? (payload as T) : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
