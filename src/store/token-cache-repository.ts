import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { DatabaseSchema } from './schema.js';

/** A lapsed sync grant: when background sync found it unusable, and why. */
export interface SyncGrantLapse {
  at: Date;
  reason: string;
  aadsts?: number;
}

/** Whose delegated grant a tenant's background sync runs on. */
export interface SyncAccount {
  /** MSAL home account id (`oid.tid` of the user's home tenant). */
  homeAccountId: string;
  name: string | null;
  /** Held Switchboard.Admin or Global Administrator when the grant was recorded. */
  isAdmin: boolean;
  grantedAt: Date;
  lapse: SyncGrantLapse | null;
}

interface SealedSyncAccount {
  name: string | null;
  isAdmin: boolean;
  grantedAt: number;
  lapse: { at: number; reason: string; aadsts?: number } | null;
}

/**
 * The delegated grants Switchboard holds: msal's token cache, one sealed partition per account and
 * tenant, and which of them a tenant's background sync uses.
 *
 * Tokens are stored only as AES-256-GCM ciphertext whose associated data names the tenant and the
 * partition key, so a row copied to another key or tenant fails to decrypt. The sync account's name
 * is sealed too (the `sync_account` column): names are directory data.
 */
export class TokenCacheRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly cipher: FieldCipher,
  ) {}

  /** The partition's msal cache JSON and its tenant, or undefined. */
  async get(partitionKey: string): Promise<{ tenantId: string; data: string } | undefined> {
    const row = await this.db.selectFrom('token_cache').select(['tenant_id', 'data']).where('partition_key', '=', partitionKey).executeTakeFirst();
    if (!row) return undefined;
    return { tenantId: row.tenant_id, data: this.cipher.decrypt(Buffer.from(row.data), cacheContext(row.tenant_id, partitionKey)).toString('utf8') };
  }

  /** Stores a partition; a partition never moves to another tenant (refused). */
  async put(partitionKey: string, tenantId: string, data: string, now = Date.now()): Promise<void> {
    const sealed = this.cipher.encrypt(data, cacheContext(tenantId, partitionKey));
    const result = await this.db
      .insertInto('token_cache')
      .values({ partition_key: partitionKey, tenant_id: tenantId, data: sealed, updated_at: now })
      .onConflict((oc) => oc.column('partition_key').doUpdateSet({ data: sealed, updated_at: now }).where('token_cache.tenant_id', '=', tenantId))
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 1) === 0) throw new Error(`Token cache partition ${partitionKey} belongs to another tenant`);
  }

  async deletePartition(partitionKey: string): Promise<boolean> {
    const result = await this.db.deleteFrom('token_cache').where('partition_key', '=', partitionKey).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Removes every partition of the tenant (also done by ON DELETE CASCADE when the tenant goes). */
  async deleteTenant(tenantId: string): Promise<number> {
    const result = await this.db.deleteFrom('token_cache').where('tenant_id', '=', tenantId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Partition keys of one tenant, for administration and tests. */
  async partitionKeys(tenantId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('token_cache').select('partition_key').where('tenant_id', '=', tenantId).orderBy('partition_key').execute();
    return rows.map((r) => r.partition_key);
  }

  async getSyncAccount(tenantId: string): Promise<SyncAccount | undefined> {
    const row = await this.db.selectFrom('tenants').select(['sync_account_id', 'sync_account']).where('id', '=', tenantId).executeTakeFirst();
    if (!row?.sync_account_id || !row.sync_account) return undefined;
    const sealed = this.cipher.decryptJson<SealedSyncAccount>(Buffer.from(row.sync_account), syncAccountContext(tenantId, row.sync_account_id));
    return {
      homeAccountId: row.sync_account_id,
      name: sealed.name,
      isAdmin: sealed.isAdmin,
      grantedAt: new Date(sealed.grantedAt),
      lapse: sealed.lapse && { ...sealed.lapse, at: new Date(sealed.lapse.at) },
    };
  }

  /** Records (or with null, forgets) whose grant sync runs on. The tenant must exist. */
  async setSyncAccount(tenantId: string, account: SyncAccount | null, now = Date.now()): Promise<void> {
    let values: { sync_account_id: string | null; sync_account: Buffer | null } = { sync_account_id: null, sync_account: null };
    if (account) {
      const sealed: SealedSyncAccount = {
        name: account.name,
        isAdmin: account.isAdmin,
        grantedAt: account.grantedAt.getTime(),
        lapse: account.lapse && { ...account.lapse, at: account.lapse.at.getTime() },
      };
      values = {
        sync_account_id: account.homeAccountId,
        sync_account: this.cipher.encryptJson(sealed, syncAccountContext(tenantId, account.homeAccountId)),
      };
    }
    const result = await this.db.updateTable('tenants').set({ ...values, updated_at: now }).where('id', '=', tenantId).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new Error(`Unknown tenant ${tenantId}`);
  }
}

export function cacheContext(tenantId: string, partitionKey: string): string {
  return `token_cache\0${tenantId}\0${partitionKey}`;
}

export function syncAccountContext(tenantId: string, homeAccountId: string): string {
  return `tenants.sync_account\0${tenantId}\0${homeAccountId}`;
}
