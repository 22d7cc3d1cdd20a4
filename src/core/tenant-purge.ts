import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { DirectoryRepository } from '../store/directory-repository.js';
import { FeedRepository } from '../store/feed-repository.js';
import type { DatabaseSchema } from '../store/schema.js';
import { SyncRepository } from '../store/sync-repository.js';
import { TokenCacheRepository } from '../store/token-cache-repository.js';

/**
 * A tenant lost access (its consent was withdrawn): drop its directory copy, audiences and change
 * feeds, delta positions and tokens, in one transaction. Configuration, the audit log and the run
 * history stay, so access can be restored without redoing the setup; devices then find their
 * address books empty. `switchboard tenants delete` removes everything.
 */
export async function purgeTenantData(deps: { db: Kysely<DatabaseSchema>; cipher: FieldCipher }, tenantId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await new FeedRepository(trx).purgeTenant(tenantId);
    await new DirectoryRepository(trx, deps.cipher).purgeTenant(tenantId);
    await new SyncRepository(trx, deps.cipher).clearPositions(tenantId);
    await new TokenCacheRepository(trx, deps.cipher).deleteTenant(tenantId);
    await new TokenCacheRepository(trx, deps.cipher).setSyncAccount(tenantId, null);
    await trx.updateTable('tenants').set({ consent_state: 'missing', updated_at: Date.now() }).where('id', '=', tenantId).execute();
  });
}
