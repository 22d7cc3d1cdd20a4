import { createHash, timingSafeEqual } from 'node:crypto';
import { opaqueHandle } from '../tokens.js';

/** What an authorization code or refresh token stands for. */
export interface Grant {
  tenantId: string;
  userId: string;
  clientId: string;
  /** The raw `scope` the grant was issued for (re-parsed on use, since consent may have changed). */
  scope: string;
  /** True once the user has passed the (simulated) MFA step: satisfies a claims challenge. */
  mfa: boolean;
  /** Refresh tokens issued to a SPA redirect URI live 24 hours, fixed (AADSTS700084). */
  spa: boolean;
  expiresAt: number;
}

export interface AuthorizationCode extends Grant {
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  nonce?: string;
  redeemed: boolean;
}

const CODE_MS = 10 * 60 * 1000;
const SPA_REFRESH_MS = 24 * 3600 * 1000;
const REFRESH_MS = 90 * 24 * 3600 * 1000;

/** In-memory codes and refresh tokens; the stand-in forgets them on restart, as a reset would. */
export class GrantStore {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly refreshTokens = new Map<string, Grant>();

  constructor(private readonly now: () => number = Date.now) {}

  issueCode(grant: Omit<AuthorizationCode, 'expiresAt' | 'redeemed'>): string {
    const code = opaqueHandle();
    this.codes.set(code, { ...grant, expiresAt: this.now() + CODE_MS, redeemed: false });
    return code;
  }

  /** Returns the code's grant and marks it used; `redeemed` tells a replay (AADSTS54005). */
  redeemCode(code: string): AuthorizationCode | 'expired' | 'redeemed' | undefined {
    const entry = this.codes.get(code);
    if (!entry) return undefined;
    if (entry.redeemed) return 'redeemed';
    if (entry.expiresAt < this.now()) return 'expired';
    entry.redeemed = true;
    return entry;
  }

  /** A refresh token; a SPA's keeps the expiry of the first one in its chain. */
  issueRefreshToken(grant: Omit<Grant, 'expiresAt'>, inheritedExpiry?: number): string {
    const token = opaqueHandle();
    const expiresAt = inheritedExpiry ?? this.now() + (grant.spa ? SPA_REFRESH_MS : REFRESH_MS);
    this.refreshTokens.set(token, { ...grant, expiresAt });
    return token;
  }

  /** Takes a refresh token out of circulation (they are single-use with rotation). */
  useRefreshToken(token: string): Grant | 'expired' | undefined {
    const grant = this.refreshTokens.get(token);
    if (!grant) return undefined;
    this.refreshTokens.delete(token);
    return grant.expiresAt < this.now() ? 'expired' : grant;
  }

  /** Revokes every refresh token of a user (password change, account disabled, "revoke sessions"). */
  revokeUser(userId: string): void {
    for (const [token, grant] of this.refreshTokens) if (grant.userId === userId) this.refreshTokens.delete(token);
  }
}

/** RFC 7636 S256 (and plain, which Entra accepts but discourages). */
export function pkceMatches(verifier: string, challenge: string, method = 'plain'): boolean {
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(computed);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
