import type { DeviceSummary, EnrollmentLink } from '../../src/devices/devices.js';

/**
 * What the bot answers, as data: the commands decide what to say, the card builders (bot/cards) how
 * it looks, and the wiring (bot/teams-ai-app.ts) how it is sent. Nothing here knows an SDK.
 */
export type Reply =
  | { kind: 'welcome'; setupNeeded?: TenantProblem }
  | { kind: 'help'; unrecognised: boolean }
  | { kind: 'enrollment'; link: EnrollmentLink }
  | { kind: 'no-access'; askWhom: string[]; firstSyncPending: boolean }
  | { kind: 'too-many-devices'; message: string }
  | { kind: 'devices'; devices: DeviceSummary[]; notice?: Notice }
  | { kind: 'status'; status: StatusFacts }
  | { kind: 'tenant-not-ready'; problem: TenantProblem }
  | { kind: 'not-personal' }
  | { kind: 'no-identity' }
  | { kind: 'device-revoked-by-admin'; deviceNames: string[] }
  | { kind: 'access-changed'; hasAccess: boolean; askWhom: string[] };

/** Why a tenant cannot use Switchboard yet: never seen (nobody signed in), or no admin consent. */
export type TenantProblem = 'unknown-tenant' | 'no-consent';

export interface Notice {
  tone: 'good' | 'attention';
  text: string;
}

export interface StatusFacts {
  /** What the user receives; null when they are in none of the configured groups. */
  receiving: { contacts: number; groups: string[] } | null;
  /** Administrators to ask when `receiving` is null. */
  askWhom: string[];
  /** The tenant directory's last successful sync, and whether the latest round failed. */
  lastSync: Date | null;
  latestRoundFailed: boolean;
  devices: number;
  /** The last time any of the user's devices synced. */
  lastDeviceSync: Date | null;
}
