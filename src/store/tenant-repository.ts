import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, TenantsTable } from './schema.js';

export interface Tenant {
  id: string;
  displayName: string | null;
  consentState: TenantsTable['consent_state'];
  createdAt: Date;
  updatedAt: Date;
}

export class TenantRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Records a tenant the first time one of its users appears; later calls only refresh the name. */
  async upsert(id: string, displayName: string | null, now = Date.now()): Promise<Tenant> {
    await this.db
      .insertInto('tenants')
      .values({ id, display_name: displayName, consent_state: 'unknown', created_at: now, updated_at: now })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          display_name: eb.fn.coalesce(eb.ref('excluded.display_name'), eb.ref('tenants.display_name')),
          updated_at: now,
        })),
      )
      .execute();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTenant(row);
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('id').execute();
    return rows.map(toTenant);
  }

  async setConsentState(id: string, state: Tenant['consentState'], now = Date.now()): Promise<void> {
    await this.db.updateTable('tenants').set({ consent_state: state, updated_at: now }).where('id', '=', id).execute();
  }

  /** Removes the tenant and, through ON DELETE CASCADE, every row that belongs to it. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
    displayName: row.display_name,
    consentState: row.consent_state,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
