import type { AccountInfo, AuthenticationResult, ConfidentialClientApplication } from '@azure/msal-node';
import type { Logger } from '../log/logger.js';
import type { SyncAccount, TokenCacheRepository } from '../store/token-cache-repository.js';
import { readAssertion } from './assertion-claims.js';
import { AssertionInvalid, GrantLapsed, IdentityError, type GrantHolder, type LapseReason } from './auth-errors.js';
import { GRAPH_SCOPES, needsAdminConsent } from './graph-scopes.js';
import { authorityFor, createMsalClient, type MsalSettings } from './msal-client.js';
import { translateOboError, translateSilentError } from './msal-errors.js';
import { PartitionedTokenCache } from './token-cache.js';

/** A user whose grant background sync could run on. */
export interface SyncAccountCandidate {
  homeAccountId: string;
  name: string | null;
  isAdmin: boolean;
}

/** Told after each token msal hands out: for metrics, logs and tests. */
export interface TokenEvent {
  flow: 'on-behalf-of' | 'silent';
  tenantId: string;
  fromCache: boolean;
}

export interface DelegatedTokensDeps {
  msal: Pick<ConfidentialClientApplication, 'acquireTokenOnBehalfOf' | 'acquireTokenSilent' | 'getTokenCache'>;
  cache: Pick<PartitionedTokenCache, 'run' | 'exclusive'>;
  grants: Pick<TokenCacheRepository, 'getSyncAccount' | 'setSyncAccount'>;
  authorityHost: string;
  scopes?: readonly string[];
  now?: () => number;
  onToken?: (event: TokenEvent) => void;
}

/** A sync token is reused from memory until this close to its expiry. */
const SYNC_TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * The only place Switchboard asks for Microsoft Graph tokens. Delegated permissions only (no
 * application permissions): tab requests exchange the user's Teams SSO token on behalf of the user;
 * background sync runs on one stored user's grant, refreshed with that user's refresh token
 * (offline_access) from the persistent, encrypted token cache.
 *
 * Whose grant sync uses: the last administrator (Switchboard.Admin or Global Administrator) who used
 * Switchboard, else the first consented user to do so; a newer admin grant replaces a non-admin one,
 * and any user's grant replaces a lapsed one. When the grant lapses (refresh token expired or revoked,
 * account disabled or deleted, consent withdrawn, MFA now required) `forSync` throws GrantLapsed, the
 * lapse is recorded with the grant (admin view), and sync stays paused until someone signs in again.
 */
export class DelegatedTokens {
  private readonly scopes: readonly string[];
  private readonly now: () => number;
  private readonly syncTokens = new Map<string, { accessToken: string; expiresOn: number }>();
  private readonly syncInFlight = new Map<string, Promise<string>>();

  constructor(private readonly deps: DelegatedTokensDeps) {
    this.scopes = deps.scopes ?? GRAPH_SCOPES;
    this.now = deps.now ?? Date.now;
  }

  /**
   * A Graph token for the user behind a tab request: on-behalf-of exchange of their SSO token (cached
   * by msal per assertion). Records the user as a candidate for background sync.
   * @throws ConsentRequired, ClaimsChallenge, AssertionInvalid, IdentityUnavailable
   */
  async forRequest(ssoToken: string, tenantId: string): Promise<string> {
    const claims = readAssertion(ssoToken, tenantId);
    // The cache partition and the authority follow `tenantId`: a token of another tenant must not land there.
    if (claims.tid !== tenantId) throw new AssertionInvalid(tenantId, 'wrong-tenant', { detail: `the token is for tenant ${claims.tid}` });
    let result: AuthenticationResult | null;
    try {
      result = await this.deps.cache.run({ tenantId }, () =>
        this.deps.msal.acquireTokenOnBehalfOf({ oboAssertion: ssoToken, scopes: [...this.scopes], authority: this.authority(tenantId) }),
      );
    } catch (err) {
      throw translateOboError(err, tenantId, this.scopes, needsAdminConsent(this.scopes));
    }
    if (!result) throw new IdentityError(`msal returned no token for the on-behalf-of request in tenant ${tenantId}`);
    this.deps.onToken?.({ flow: 'on-behalf-of', tenantId, fromCache: result.fromCache });
    // A token from the network came with a new refresh token: that is a grant sync can use.
    if (!result.fromCache && result.account) {
      await this.rememberSyncAccount(tenantId, { homeAccountId: result.account.homeAccountId, name: result.account.name ?? claims.name, isAdmin: claims.isAdmin });
    }
    return result.accessToken;
  }

  /**
   * Offers a user's grant for background sync; returns whether it is now the one sync uses. The
   * user's tokens must already be in the cache (forRequest puts them there).
   */
  async rememberSyncAccount(tenantId: string, candidate: SyncAccountCandidate): Promise<boolean> {
    const current = await this.deps.grants.getSyncAccount(tenantId);
    if (!prefer(candidate, current)) return false;
    await this.deps.grants.setSyncAccount(tenantId, { ...candidate, grantedAt: new Date(this.now()), lapse: null });
    if (current?.homeAccountId !== candidate.homeAccountId) this.syncTokens.delete(tenantId);
    return true;
  }

  /** Whose grant the tenant's sync runs on, and whether it lapsed (for the admin view). */
  syncAccount(tenantId: string): Promise<SyncAccount | undefined> {
    return this.deps.grants.getSyncAccount(tenantId);
  }

  /**
   * A Graph token for background sync, on the stored grant. Served from memory while valid; with
   * `forceRefresh` the refresh token is used now, which proves the grant is still alive (a sync round
   * should start that way: a cached access token outlives a disabled account by up to an hour).
   * @throws GrantLapsed (recorded with the grant), IdentityUnavailable
   */
  forSync(tenantId: string, options: { forceRefresh?: boolean } = {}): Promise<string> {
    const forceRefresh = options.forceRefresh ?? false;
    const known = this.syncTokens.get(tenantId);
    if (!forceRefresh && known && known.expiresOn - this.now() > SYNC_TOKEN_MARGIN_MS) return Promise.resolve(known.accessToken);
    // Concurrent Graph requests of one round share one acquisition.
    const pending = forceRefresh ? undefined : this.syncInFlight.get(tenantId);
    if (pending) return pending;
    const acquisition = this.acquireForSync(tenantId, forceRefresh).finally(() => {
      if (this.syncInFlight.get(tenantId) === acquisition) this.syncInFlight.delete(tenantId);
    });
    if (!forceRefresh) this.syncInFlight.set(tenantId, acquisition);
    return acquisition;
  }

  private async acquireForSync(tenantId: string, forceRefresh: boolean): Promise<string> {
    const stored = await this.deps.grants.getSyncAccount(tenantId);
    if (!stored) throw new GrantLapsed(tenantId, 'no-grant', undefined);
    const holder: GrantHolder = { homeAccountId: stored.homeAccountId, name: stored.name };
    // A lapsed grant is not used, even while msal still holds an unexpired access token from it
    // (the holder may have left the company); only a forced refresh tries the grant again.
    if (stored.lapse && !forceRefresh) throw new GrantLapsed(tenantId, stored.lapse.reason as LapseReason, holder, { aadsts: stored.lapse.aadsts });
    let result: AuthenticationResult | null;
    try {
      // Exclusive: acquireTokenSilent clears msal's shared memory before reading the partition.
      result = await this.deps.cache.exclusive({ tenantId, homeAccountId: stored.homeAccountId }, async () => {
        const account = await this.findAccount(tenantId, stored.homeAccountId);
        if (!account) throw new GrantLapsed(tenantId, 'not-in-cache', holder);
        return this.deps.msal.acquireTokenSilent({ account, scopes: [...this.scopes], authority: this.authority(tenantId), forceRefresh });
      }, this.deps.msal.getTokenCache());
    } catch (err) {
      const translated = translateSilentError(err, tenantId, holder);
      if (translated instanceof GrantLapsed) await this.recordLapse(tenantId, stored, translated);
      throw translated;
    }
    if (!result) throw new IdentityError(`msal returned no token for background sync in tenant ${tenantId}`);
    this.deps.onToken?.({ flow: 'silent', tenantId, fromCache: result.fromCache });
    if (stored.lapse) await this.deps.grants.setSyncAccount(tenantId, { ...stored, lapse: null });
    const expiresOn = result.expiresOn?.getTime() ?? 0;
    this.syncTokens.set(tenantId, { accessToken: result.accessToken, expiresOn });
    return result.accessToken;
  }

  private async findAccount(tenantId: string, homeAccountId: string): Promise<AccountInfo | undefined> {
    const accounts = (await this.deps.msal.getTokenCache().getAllAccounts()).filter((a) => a.homeAccountId === homeAccountId);
    return accounts.find((a) => a.tenantId === tenantId) ?? accounts[0];
  }

  private async recordLapse(tenantId: string, stored: SyncAccount, lapse: GrantLapsed): Promise<void> {
    this.syncTokens.delete(tenantId);
    // Re-read: a user may have signed in meanwhile and recorded a fresh grant, which must survive.
    const current = await this.deps.grants.getSyncAccount(tenantId);
    if (current?.homeAccountId !== stored.homeAccountId) return;
    const record = { at: new Date(this.now()), reason: lapse.reason, ...(lapse.aadsts !== undefined ? { aadsts: lapse.aadsts } : {}) };
    await this.deps.grants.setSyncAccount(tenantId, { ...current, lapse: record });
  }

  private authority(tenantId: string): string {
    return authorityFor(this.deps.authorityHost, tenantId);
  }
}

/** The rule for whose grant sync uses; see the class comment. */
function prefer(candidate: SyncAccountCandidate, current: SyncAccount | undefined): boolean {
  if (!current || current.lapse) return true;
  if (current.homeAccountId === candidate.homeAccountId) return true;
  return candidate.isAdmin && !current.isAdmin;
}

/**
 * Wires the process's token machinery: the partitioned cache plugin over the repository, the one
 * ConfidentialClientApplication, and DelegatedTokens over both. Call once per process.
 */
export function createDelegatedTokens(options: { settings: MsalSettings; repository: TokenCacheRepository; logger?: Logger; onToken?: (event: TokenEvent) => void }): DelegatedTokens {
  const cache = new PartitionedTokenCache(options.repository);
  const msal = createMsalClient(options.settings, cache, options.logger);
  return new DelegatedTokens({
    msal,
    cache,
    grants: options.repository,
    authorityHost: options.settings.authorityHost,
    ...(options.onToken ? { onToken: options.onToken } : {}),
  });
}
