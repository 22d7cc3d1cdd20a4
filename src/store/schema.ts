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
  /** The tenant's change-feed counter (last sequence number handed out). */
  contact_seq: Generated<number>;
  /** Whose delegated grant background sync runs on (MSAL home account id), and its sealed details. */
  sync_account_id: string | null;
  sync_account: Buffer | null;
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

/** 0/1: booleans stored portably. */
type Flag = number;

export interface DirectoryUsersTable {
  tenant_id: string;
  id: string;
  /** Sealed JSON of the contact fields. */
  data: Buffer;
  account_enabled: Flag;
  is_guest: Flag;
  is_licensed: Flag;
  hidden: Flag;
  /** Has a mailbox address: with the other flags, how rooms and shared mailboxes are recognised. */
  has_mail: Flag;
  photo_hash: string | null;
  updated_at: number;
}

export interface DirectoryPhotosTable {
  tenant_id: string;
  user_id: string;
  content_type: string;
  data: Buffer;
}

export interface DirectoryGroupsTable {
  tenant_id: string;
  id: string;
  data: Buffer;
  security_enabled: Flag;
  updated_at: number;
}

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  member_id: string;
  member_type: 'user' | 'group';
  synced_at: number;
}

export interface SyncStateTable {
  tenant_id: string;
  kind: 'users' | 'groups' | 'photos';
  delta_link: Buffer | null;
  next_link: Buffer | null;
  updated_at: number;
}

export interface SyncRunsTable {
  id: Generated<number>;
  tenant_id: string;
  trigger: 'schedule' | 'manual' | 'first-sign-in';
  mode: 'full' | 'delta';
  status: 'running' | 'succeeded' | 'failed';
  started_at: number;
  finished_at: number | null;
  graph_requests: Generated<number>;
  throttled: Generated<number>;
  users_changed: Generated<number>;
  groups_changed: Generated<number>;
  contact_changes: Generated<number>;
  error: string | null;
}

export interface TenantPoliciesTable {
  tenant_id: string;
  policy_json: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

export interface TokenCacheTable {
  partition_key: string;
  tenant_id: string;
  data: Buffer;
  updated_at: number;
}

export interface AudiencesTable {
  id: Generated<number>;
  tenant_id: string;
  key: string;
  groups_json: string;
}

export interface AudienceContactsTable {
  tenant_id: string;
  audience_id: number;
  contact_id: string;
  /** Feed position of the contact's last change as this audience sees it (its ETag source). */
  seq: number;
}

export interface UserAudiencesTable {
  tenant_id: string;
  user_id: string;
  audience_id: number;
}

export interface ContactChangesTable {
  tenant_id: string;
  audience_id: number;
  seq: number;
  contact_id: string;
  op: 'upsert' | 'remove';
}

export interface DatabaseSchema {
  tenants: TenantsTable;
  audit_log: AuditLogTable;
  directory_users: DirectoryUsersTable;
  directory_photos: DirectoryPhotosTable;
  directory_groups: DirectoryGroupsTable;
  group_members: GroupMembersTable;
  sync_state: SyncStateTable;
  sync_runs: SyncRunsTable;
  tenant_policies: TenantPoliciesTable;
  token_cache: TokenCacheTable;
  audiences: AudiencesTable;
  audience_contacts: AudienceContactsTable;
  user_audiences: UserAudiencesTable;
  contact_changes: ContactChangesTable;
}
