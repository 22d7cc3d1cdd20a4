import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/**
 * The tenant's policy document, kept permanently (it is configuration, not directory data: group
 * ids and switches). Each save bumps the version; the audit log keeps who changed what.
 */
export class PolicyRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async get(tenantId: string): Promise<{ json: unknown; version: number; updatedAt: Date; updatedBy: string } | undefined> {
    const row = await this.db.selectFrom('tenant_policies').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return row && { json: JSON.parse(row.policy_json), version: row.version, updatedAt: new Date(row.updated_at), updatedBy: row.updated_by };
  }

  /** Saves if the stored version is still `expectedVersion` (0 for none); false when someone saved first. */
  async save(tenantId: string, json: unknown, expectedVersion: number, updatedBy: string, now = Date.now()): Promise<boolean> {
    const policy_json = JSON.stringify(json);
    if (expectedVersion === 0) {
      const inserted = await this.db
        .insertInto('tenant_policies')
        .values({ tenant_id: tenantId, policy_json, version: 1, updated_at: now, updated_by: updatedBy })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    const updated = await this.db
      .updateTable('tenant_policies')
      .set({ policy_json, version: expectedVersion + 1, updated_at: now, updated_by: updatedBy })
      .where('tenant_id', '=', tenantId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }
}
