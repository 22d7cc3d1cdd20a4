import { AsyncLocalStorage } from 'node:async_hooks';
import type { ICachePlugin, ISerializableTokenCache, TokenCache, TokenCacheContext } from '@azure/msal-node';
import { AsyncMutex } from './async-mutex.js';

/**
 * msal-node's token cache, persisted per account in the `token_cache` table.
 *
 * Switchboard keeps one ConfidentialClientApplication per process, so msal has ONE in-memory cache
 * for every user of every tenant; that is what makes its on-behalf-of cache work (FIELD-NOTES). This
 * plugin decides what of that shared cache goes into which row:
 *
 * - Every msal call runs inside a {@link CacheScope} (AsyncLocalStorage): the tenant, and for silent
 *   calls the account. Concurrent requests for different users each see their own scope.
 * - Before a write, the scope's partition (if known) is merged into memory; after it, only the
 *   entries of the accounts that write changed are sliced out, per account and tenant, and stored.
 *   A partition therefore never holds another account's or another tenant's tokens, whatever else
 *   sits in memory, and msal's DistributedCachePlugin (which stores the whole memory under the first
 *   account it finds) is not used for exactly that reason.
 * - The window between msal's "before" and "after" hooks is serialised by a mutex, so one call's
 *   load or change-detection never interleaves with another's. Silent calls hold the mutex for the
 *   whole call ({@link PartitionedTokenCache.exclusive}) because msal's acquireTokenSilent first
 *   clears the shared memory (`TokenCache.overwriteCache`) — which must not happen halfway through
 *   another call's write.
 *
 * Partition key: `${tenantId}/${homeAccountId}`. The home account id alone (`oid.tid` of the home
 * tenant) is not enough: a guest has the same one in every tenant that invited them.
 */

export interface CacheScope {
  tenantId: string;
  /** Known for silent calls (the stored sync account); learnt from msal's writes for on-behalf-of. */
  homeAccountId?: string;
}

/** Where sealed partitions live: the TokenCacheRepository. */
export interface PartitionStore {
  get(partitionKey: string): Promise<{ tenantId: string; data: string } | undefined>;
  put(partitionKey: string, tenantId: string, data: string): Promise<void>;
}

export function partitionKeyFor(tenantId: string, homeAccountId: string): string {
  return `${tenantId}/${homeAccountId}`;
}

/** msal's serialized cache (its JSON schema, snake_case fields). */
type SerializedEntity = { home_account_id?: string; realm?: string } & Record<string, unknown>;
type SerializedCache = Record<string, Record<string, SerializedEntity> | undefined>;
const ACCOUNT_SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken'] as const;

interface ScopeState {
  scope: CacheScope;
  /** The mutex is held by this async context for its whole duration (silent calls). */
  holdsLock: boolean;
}

interface OpenAccess {
  release: (() => void) | undefined;
  /** Memory entries (by identity) before msal wrote: what changed is what this call wrote. */
  baseline: Map<string, unknown>;
}

export class PartitionedTokenCache implements ICachePlugin {
  private readonly scopes = new AsyncLocalStorage<ScopeState>();
  private readonly mutex = new AsyncMutex();
  private readonly open = new WeakMap<TokenCacheContext, OpenAccess>();

  constructor(private readonly store: PartitionStore) {}

  /** Runs an msal call (on-behalf-of) in `scope`; the hooks lock only around msal's cache writes. */
  run<T>(scope: CacheScope, fn: () => Promise<T>): Promise<T> {
    return this.scopes.run({ scope, holdsLock: false }, fn);
  }

  /**
   * Runs msal calls (silent, account lookups) in `scope` holding the cache lock throughout. Given
   * msal's in-memory cache, keeps the other accounts' entries: acquireTokenSilent empties that memory
   * before reading the partition, which would drop every other user's cached on-behalf-of tokens
   * and send each of their next tab requests back to Entra.
   */
  async exclusive<T>(scope: CacheScope, fn: () => Promise<T>, memory?: ISerializableTokenCache): Promise<T> {
    const release = await this.mutex.acquire();
    try {
      const others = memory && withoutAccount(JSON.parse(memory.serialize()) as SerializedCache, scope.homeAccountId);
      try {
        return await this.scopes.run({ scope, holdsLock: true }, fn);
      } finally {
        // Merged back: entries msal wrote meanwhile (this account's) are not among them.
        if (memory && others) memory.deserialize(JSON.stringify(others));
      }
    } finally {
      release();
    }
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const state = this.scopes.getStore();
    const release = state?.holdsLock ? undefined : await this.mutex.acquire();
    try {
      if (state?.scope.homeAccountId) await this.load(context, state.scope.tenantId, state.scope.homeAccountId);
      this.open.set(context, { release, baseline: new Map(Object.entries(kvStore(context))) });
    } catch (err) {
      // msal's overwriteCache does not call afterCacheAccess when this throws: release here.
      release?.();
      throw err;
    }
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    const access = this.open.get(context);
    if (!access) return; // beforeCacheAccess failed and already released
    this.open.delete(context);
    try {
      if (context.cacheHasChanged) await this.persist(context, access.baseline);
    } finally {
      access.release?.();
    }
  }

  private async load(context: TokenCacheContext, tenantId: string, homeAccountId: string): Promise<void> {
    const key = partitionKeyFor(tenantId, homeAccountId);
    const row = await this.store.get(key);
    if (!row) return;
    if (row.tenantId !== tenantId) throw new Error(`Token cache partition ${key} belongs to another tenant`);
    // msal's deserialize merges into memory (entries with the same key are replaced).
    context.tokenCache.deserialize(row.data);
  }

  private async persist(context: TokenCacheContext, baseline: Map<string, unknown>): Promise<void> {
    const changed = new Set<string>();
    for (const [key, value] of Object.entries(kvStore(context))) {
      if (baseline.get(key) === value) continue;
      const home = (value as { homeAccountId?: unknown }).homeAccountId;
      if (typeof home === 'string' && home !== '') changed.add(home);
    }
    if (changed.size === 0) return;
    const scope = this.scopes.getStore()?.scope;
    if (!scope) throw new Error('msal wrote tokens outside a token cache scope; refusing to store them unpartitioned');
    const all = JSON.parse(context.tokenCache.serialize()) as SerializedCache;
    for (const homeAccountId of changed) {
      const slice = sliceFor(all, homeAccountId, scope.tenantId);
      if (slice) await this.store.put(partitionKeyFor(scope.tenantId, homeAccountId), scope.tenantId, JSON.stringify(slice));
    }
  }
}

function kvStore(context: TokenCacheContext): Record<string, unknown> {
  // The context's cache is msal-node's TokenCache; getKVStore is public there (DistributedCachePlugin uses it).
  return (context.tokenCache as TokenCache).getKVStore();
}

/** One account's entries for one tenant (refresh tokens carry no realm), plus app metadata. */
function sliceFor(all: SerializedCache, homeAccountId: string, tenantId: string): SerializedCache | undefined {
  const out: SerializedCache = {};
  let entries = 0;
  for (const section of ACCOUNT_SECTIONS) {
    const kept: Record<string, SerializedEntity> = {};
    for (const [key, entity] of Object.entries(all[section] ?? {})) {
      if (entity.home_account_id !== homeAccountId) continue;
      if (entity.realm && entity.realm !== tenantId) continue;
      kept[key] = entity;
      entries++;
    }
    out[section] = kept;
  }
  out.AppMetadata = all.AppMetadata ?? {};
  return entries > 0 ? out : undefined;
}

/** Everything but one account's entries; undefined when nothing is left. */
function withoutAccount(all: SerializedCache, homeAccountId: string | undefined): SerializedCache | undefined {
  const out: SerializedCache = { ...all };
  let entries = 0;
  for (const section of ACCOUNT_SECTIONS) {
    const kept = Object.fromEntries(Object.entries(all[section] ?? {}).filter(([, e]) => e.home_account_id !== homeAccountId));
    out[section] = kept;
    entries += Object.keys(kept).length;
  }
  return entries > 0 ? out : undefined;
}
