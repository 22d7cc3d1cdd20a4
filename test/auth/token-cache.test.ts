import { ConfidentialClientApplication, TokenCacheContext, type TokenCache } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { PartitionedTokenCache, partitionKeyFor, type PartitionStore } from '../../src/auth/token-cache.js';

const T1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const T2 = 'bbbbbbbb-0000-4000-8000-000000000002';
const CLIENT = '5b0a4d00-0000-4000-8000-0000000000c1';
const ENV = 'login.microsoftonline.com';

/** An unsigned JWT: msal reads ID token claims when it lists accounts. */
const jwt = (claims: object) => ['{"alg":"none"}', JSON.stringify(claims), ''].map((p) => Buffer.from(p).toString('base64url')).join('.');

/** msal's serialized entries for one account in one tenant, as its Serializer writes them. */
function entries(oid: string, home: string, realm: string, secret: string) {
  const homeAccountId = `${oid}.${home}`;
  return {
    Account: { [`${homeAccountId}-${ENV}-${realm}`]: { home_account_id: homeAccountId, environment: ENV, realm, local_account_id: oid, username: `${oid}@example`, authority_type: 'MSSTS' } },
    IdToken: { [`${homeAccountId}-${ENV}-idtoken-${CLIENT}-${realm}---`]: { home_account_id: homeAccountId, environment: ENV, credential_type: 'IdToken', client_id: CLIENT, secret: jwt({ oid, tid: realm, sub: `${oid}-${secret}` }), realm } },
    RefreshToken: { [`${homeAccountId}-${ENV}-refreshtoken-${CLIENT}----`]: { home_account_id: homeAccountId, environment: ENV, credential_type: 'RefreshToken', client_id: CLIENT, secret: `rt-${secret}` } },
  };
}

class MemoryStore implements PartitionStore {
  readonly rows = new Map<string, { tenantId: string; data: string }>();
  failGets = false;
  async get(key: string) {
    if (this.failGets) throw new Error('database down');
    return this.rows.get(key);
  }
  async put(key: string, tenantId: string, data: string) {
    this.rows.set(key, { tenantId, data });
  }
}

/** A real msal TokenCache with the plugin; `write` stands in for msal saving a response. */
function setup() {
  const store = new MemoryStore();
  const plugin = new PartitionedTokenCache(store);
  const cache = new ConfidentialClientApplication({ auth: { clientId: CLIENT, clientSecret: 's', authority: `https://${ENV}/organizations` }, cache: { cachePlugin: plugin } }).getTokenCache() as TokenCache;
  const write = async (data: object) => {
    const context = new TokenCacheContext(cache, true);
    await plugin.beforeCacheAccess(context);
    try {
      cache.deserialize(JSON.stringify(data));
    } finally {
      await plugin.afterCacheAccess(context);
    }
  };
  const stored = (key: string) => JSON.parse(store.rows.get(key)!.data) as Record<string, Record<string, { home_account_id: string; secret?: string }>>;
  return { store, plugin, cache, write, stored };
}

describe('PartitionedTokenCache', () => {
  it('stores only the accounts a write changed, each in its own tenant partition, whatever else is in memory', async () => {
    const { store, plugin, write, stored } = setup();
    await plugin.run({ tenantId: T1 }, () => write(entries('u1', T1, T1, 'one')));
    await plugin.run({ tenantId: T1 }, () => write(entries('u2', T1, T1, 'two')));
    expect([...store.rows.keys()].sort()).toEqual([partitionKeyFor(T1, `u1.${T1}`), partitionKeyFor(T1, `u2.${T1}`)]);
    const second = stored(partitionKeyFor(T1, `u2.${T1}`));
    expect(Object.values(second.RefreshToken!).map((e) => e.secret)).toEqual(['rt-two']);
    expect(JSON.stringify(second)).not.toContain('u1.');
  });

  it('keys a guest by tenant too, and leaves another tenant\'s realm out of the partition', async () => {
    const { store, plugin, write, stored } = setup();
    // The same home account (a guest from T2) signed in to T1; its T2 entries must not enter T1's partition.
    await plugin.run({ tenantId: T1 }, () => write({ ...entries('g', T2, T1, 'in-t1'), Account: { ...entries('g', T2, T1, 'x').Account, ...entries('g', T2, T2, 'x').Account } }));
    expect([...store.rows.keys()]).toEqual([partitionKeyFor(T1, `g.${T2}`)]);
    const accounts = Object.values(stored(partitionKeyFor(T1, `g.${T2}`)).Account!) as unknown as { realm: string }[];
    expect(accounts.map((a) => a.realm)).toEqual([T1]);
  });

  it('loads the scope\'s partition before a silent call reads', async () => {
    const { store, plugin, cache } = setup();
    await store.put(partitionKeyFor(T1, `u1.${T1}`), T1, JSON.stringify(entries('u1', T1, T1, 'persisted')));
    const accounts = await plugin.exclusive({ tenantId: T1, homeAccountId: `u1.${T1}` }, () => cache.getAllAccounts());
    expect(accounts.map((a) => a.homeAccountId)).toEqual([`u1.${T1}`]);
  });

  it('refuses to persist a write made outside any scope', async () => {
    const { write } = setup();
    await expect(write(entries('u1', T1, T1, 'x'))).rejects.toThrow(/outside a token cache scope/);
  });

  it('releases the lock when loading fails, so later calls proceed', async () => {
    const { store, plugin, cache, write } = setup();
    store.failGets = true;
    const context = new TokenCacheContext(cache, false);
    await expect(plugin.run({ tenantId: T1, homeAccountId: `u1.${T1}` }, () => plugin.beforeCacheAccess(context))).rejects.toThrow(/database down/);
    await plugin.afterCacheAccess(context); // what msal's ResponseHandler does after a failed before: a no-op
    store.failGets = false;
    await plugin.run({ tenantId: T1 }, () => write(entries('u1', T1, T1, 'x')));
    expect(store.rows.size).toBe(1);
  });

  it('holds other calls\' cache writes while an exclusive (silent) call runs', async () => {
    const { store, plugin, write } = setup();
    let finish!: () => void;
    const exclusive = plugin.exclusive({ tenantId: T1, homeAccountId: `u9.${T1}` }, () => new Promise<void>((r) => (finish = r)));
    const other = plugin.run({ tenantId: T2 }, () => write(entries('u2', T2, T2, 'x')));
    await new Promise((r) => setTimeout(r, 20));
    expect(store.rows.size).toBe(0);
    finish();
    await Promise.all([exclusive, other]);
    expect([...store.rows.keys()]).toEqual([partitionKeyFor(T2, `u2.${T2}`)]);
  });
});
