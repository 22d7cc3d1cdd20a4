import type { Generated } from 'kysely';

/**
 * Table types for the typed query layer. Times are epoch milliseconds (integers) so that SQLite and
 * PostgreSQL store and compare them alike.
 */
export interface TenantsTable {
  id: string;
  display_name: string | null;
  consent_state: 'unknown' | 'granted' | 'missing';
  created_at: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  tenant_id: string;
  at: number;
  actor_id: string;
  actor_name: string | null;
  action: string;
  target: string | null;
  before_json: string | null;
  after_json: string | null;
}

export interface DatabaseSchema {
  tenants: TenantsTable;
  audit_log: AuditLogTable;
}
