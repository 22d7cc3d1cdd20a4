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

export interface DevicesTable {
  /** Random anonymous id (base32 of 16 random bytes): the CardDAV user name. Globally unique. */
  id: string;
  tenant_id: string;
  user_id: string;
  display_name: string;
  platform: 'iphone' | 'ipad' | 'mac' | 'android' | 'other';
  /** HMAC-SHA-256 of the device secret; null once revoked. The secret itself is never stored. */
  secret_hash: Buffer | null;
  /** Which derived hash key made `secret_hash` (key rotation). */
  hash_key_id: number | null;
  created_at: number;
  last_seen_at: number | null;
  /** The client's User-Agent (truncated), as last seen. */
  client_name: string | null;
  revoked_at: number | null;
}

export interface DeviceEnrollmentsTable {
  /** Keyed hash of the single-use link token; the token itself is never stored. */
  token_hash: string;
  tenant_id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  device_id: string | null;
  /** Profile download after redemption: keyed hash of its one-time key, and the secret sealed under that key. */
  download_hash: string | null;
  download_sealed: Buffer | null;
  download_expires_at: number | null;
}

/** The bot's personal conversation with a user (migration 0004). */
export interface BotConversationsTable {
  tenant_id: string;
  user_id: string;
  /** JSON of a Bot Framework ConversationReference, ids and service URL only. */
  reference: string;
  /** 0/1: whether the user received contacts when last seen or told; null before the first check. */
  had_access: Flag | null;
  updated_at: number;
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
  devices: DevicesTable;
  device_enrollments: DeviceEnrollmentsTable;
  bot_conversations: BotConversationsTable;
}
