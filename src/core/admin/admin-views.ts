/**
 * What the admin page's logic returns, as JSON-ready shapes (times as ISO strings). Types only and
 * free of imports, so the tab API's contract (src/server/tab-api-types.ts) and through it the tab
 * can name them without pulling in the store.
 */

/** A group as the admin page's group picker lists it. */
export interface GroupSummary {
  id: string;
  displayName: string | null;
  description: string | null;
  mail: string | null;
  securityEnabled: boolean;
  /** Microsoft 365 (Unified) group. */
  unified: boolean;
  /** Users in the group, nested groups included. */
  userCount: number;
}

/** One sync round as the admin page shows it (times as ISO strings). */
export interface SyncRunView {
  id: number;
  trigger: string;
  mode: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  graphRequests: number;
  throttled: number;
  usersChanged: number;
  groupsChanged: number;
  contactChanges: number;
  error: string | null;
}

export interface SyncHealth {
  consent: string;
  syncAccount: { name: string | null; isAdmin: boolean; lapsed: string | null } | null;
  running: boolean;
  runs: SyncRunView[];
  directory: { users: number; groups: number };
  devices: { users: number; devices: number };
  missingGroups: string[];
}
