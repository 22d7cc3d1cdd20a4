import { ConsentRequired } from './auth/auth-errors.js';
import type { DelegatedTokens } from './auth/delegated-tokens.js';
import type { SyncRunner } from './core/sync/sync-runner.js';
import type { Logger } from './log/logger.js';
import type { Store } from './store/store.js';

/** Who a validated tab request comes from (the server takes these from the validated token only). */
export interface SignedInUser {
  tenantId: string;
  userId: string;
  /** preferred_username: its domain names a tenant we have not seen before. */
  username: string | null;
}

/**
 * The tenant lifecycle around a user's first steps: a tenant appears when one of its users first
 * signs in, its consent state follows what the on-behalf-of exchange says (granted, or missing until
 * an administrator consents), and the first grant starts the first sync round at once.
 */
export class TenantAccess {
  constructor(
    private readonly deps: {
      store: Store;
      tokens: Pick<DelegatedTokens, 'forRequest'>;
      runner: Pick<SyncRunner, 'run'>;
      logger: Logger;
    },
  ) {}

  /** A Graph token for the signed-in user's request; records the tenant and its consent state on the way. */
  async graphToken(ssoToken: string, user: SignedInUser): Promise<string> {
    const { store } = this.deps;
    const known = await store.tenants.get(user.tenantId);
    if (!known) await store.tenants.upsert(user.tenantId, user.username?.split('@')[1] ?? null);
    try {
      const token = await this.deps.tokens.forRequest(ssoToken, user.tenantId);
      if (known?.consentState !== 'granted') {
        await store.tenants.setConsentState(user.tenantId, 'granted');
        // The first grant: fill the directory now rather than at the next scheduled round.
        void this.deps.runner.run(user.tenantId, 'first-sign-in').catch((err: unknown) => this.deps.logger.error({ err, tenantId: user.tenantId }, 'first sync failed'));
      }
      return token;
    } catch (err) {
      if (err instanceof ConsentRequired && known?.consentState !== 'missing') await store.tenants.setConsentState(user.tenantId, 'missing');
      throw err;
    }
  }
}
