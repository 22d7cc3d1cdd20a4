/**
 * The tab API's request and response shapes, as JSON on the wire (dates are ISO strings). The server
 * builds these and the tab reads them (`import type` from tab/), so the two cannot drift apart;
 * docs/openapi.yaml describes the same shapes and the API tests check responses against it.
 * Types only: nothing here runs.
 */

import type { GroupSummary, SyncHealth, SyncRunView } from '../core/admin/admin-views.js';
import type { ListedContact } from '../core/directory/directory-view.js';
import type { ContactField } from '../core/policy/contact-fields.js';
import type { Policy, PolicyIssue } from '../core/policy/policy.js';
import type { PolicyPreview } from '../core/policy/preview.js';

export type { ContactField, Policy, PolicyIssue, PolicyPreview };

/** Every error: `{"error":{"code","message"}}`; InvalidPolicy adds `issues`. */
export interface ApiError {
  error: { code: string; message: string; requestId?: string; issues?: PolicyIssue[] };
}

// ---- GET /api/me

export interface MeResponse {
  user: { id: string; name: string | null; username: string | null };
  tenant: { id: string; consent: 'granted' | 'missing' | 'unknown' | string };
  isAdmin: boolean;
  /** False: the user is in none of the configured groups (or nothing is configured yet). */
  receivesContacts: boolean;
}

// ---- GET /api/directory, /api/directory/{id}, /api/directory/{id}/photo

/** One contact as the tab shows it: every field present, null (or [] for phones) when unknown or hidden; hasPhoto: GET /api/directory/{id}/photo answers 200. */
export type DirectoryContact = ListedContact;

export interface FacetValue {
  value: string;
  count: number;
}

/**
 * Query: `q` (search as you type over name, title, department, office, phones, mail; every word must
 * match the start of a word, case- and accent-insensitive), `department`, `office`, `group` (exact,
 * from the facets), `cursor` (from nextCursor), `limit` (1–500, default 100).
 */
export interface DirectoryResponse {
  contacts: DirectoryContact[];
  /** Contacts matching the query and filters, over all pages. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Filter values over the user's whole visible directory (not narrowed by the query). */
  facets: { departments: FacetValue[]; offices: FacetValue[]; groups: { id: string; name: string; count: number }[] };
}

// ---- /api/devices (src/devices/device-api.ts)

export interface DeviceSummaryJson {
  id: string;
  name: string;
  platform: string;
  createdAt: string;
  lastSeenAt: string | null;
  clientName: string | null;
}

export interface DevicesResponse {
  devices: DeviceSummaryJson[];
}

/** POST /api/devices → 201. */
export interface EnrollmentResponse {
  enrollmentUrl: string;
  expiresAt: string;
  qrPngDataUri: string;
}

// ---- Admin APIs: every one answers 403 Forbidden to a caller who is not a tenant administrator.

/** GET /api/admin/devices: devices per user (name from the synced directory, null when unknown). */
export interface AdminDevicesResponse {
  users: { userId: string; name: string | null; devices: number; lastSeenAt: string | null }[];
}

/** GET /api/admin/groups?search=&limit= : groups whose name (or mail) starts with the search, A–Z. */
export interface AdminGroupsResponse {
  groups: AdminGroup[];
}

/** name, mail, security or Microsoft 365 (unified), users in it with nested groups (userCount). */
export type AdminGroup = GroupSummary;

/** GET /api/admin/policy */
export interface AdminPolicyResponse {
  policy: Policy;
  /** 0 until an administrator first saves; send it back with PUT. */
  version: number;
  /** Names of every group the policy mentions (null: not in the synced directory, e.g. deleted). */
  groupNames: Record<string, string | null>;
  /** What the hiddenFields editor offers. */
  fields: { all: ContactField[]; hideable: ContactField[] };
}

/** PUT /api/admin/policy: 200 AdminPolicySaved; 400 InvalidPolicy (+issues); 409 PolicyConflict. */
export interface AdminPolicySaveRequest {
  policy: Policy;
  version: number;
}

export interface AdminPolicySaved {
  policy: Policy;
  version: number;
  /** Readable lines, as written to the audit log. */
  changes: string[];
}

/** POST /api/admin/policy/preview with `{ policy }`: 200 AdminPolicyPreview; 400 InvalidPolicy. */
export interface AdminPolicyPreview extends PolicyPreview {
  /** Readable changes from the saved policy to this one. */
  changes: string[];
  groupNames: Record<string, string | null>;
}

/** GET /api/admin/sync: consent, whose grant sync runs on, the last 20 rounds, counts, policy groups missing from the directory. */
export type AdminSyncResponse = SyncHealth;

export type SyncRunJson = SyncRunView;

/** POST /api/admin/sync → 202 `{ started: true }`, or 409 SyncRunning when a round is under way. */
export interface AdminSyncStarted {
  started: true;
}

/** GET /api/admin/audit?before=&limit= : newest first; pass nextBefore as `before` for older ones. */
export interface AdminAuditResponse {
  entries: { id: number; at: string; actor: { id: string; name: string | null }; action: string; target: string | null; changes: string[] }[];
  nextBefore: number | null;
}
