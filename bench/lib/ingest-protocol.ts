import type { SignedInUser } from '../../src/tenant-access.js';

/** Graph requests as the transport saw them, by what they were for. */
export type TrafficKind = 'users-delta' | 'groups-delta' | 'batch' | 'other';

export interface TrafficFigures {
  /**
   * Per kind: requests; milliseconds from sending to the response headers, summed; when the first
   * request of the kind was sent and when the last was answered, ms after the round started.
   */
  byKind: Record<TrafficKind, { requests: number; ms: number; firstSentMs?: number; lastAnsweredMs?: number }>;
  /** CPU time (user + system) of the sync process from the start of the round to the first `$batch` (or the end). */
  cpuBeforePhotosMs: number;
}

/** Resident set and V8 heap, in MB: sampled peaks (every 100 ms) and the kernel's high-water mark. */
export interface MemoryFigures {
  /** process.resourceUsage().maxRSS: the process's peak since it started. */
  maxRssMB: number;
  /** Sampled peaks during the measured step, split at the first photo batch when there was one. */
  sampledPeakRssMB: { beforePhotos: number; photos?: number };
  peakHeapMB: number;
}

/** One sync round through `runner.run(tenantId, 'manual')`. */
export interface RoundFigures {
  wallMs: number;
  mode: 'full' | 'delta';
  /** sync_runs as the runner recorded it. */
  run: { status: string; graphRequests: number; throttled: number; usersChanged: number; groupsChanged: number; contactChanges: number; error: string | null };
  traffic: TrafficFigures;
  memory: MemoryFigures;
}

export interface PolicyFigures {
  wallMs: number;
  audiences: number;
  usersReceiving: number;
  feedEntries: number;
  memory: MemoryFigures;
}

export interface LatencyFigures {
  samples: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** Rows in the answers: median and largest. */
  medianRows: number;
  maxRows: number;
}

export interface QueryFigures {
  /** FeedRepository.audienceOf + audienceContacts. */
  contactsOf: LatencyFigures;
  /** FeedRepository.audienceOf + changesSince(audience, sinceSeq). */
  changesSince: LatencyFigures & { sinceSeq: number };
  /** EXPLAIN QUERY PLAN of each distinct statement the two questions ran. */
  plans: { sql: string; plan: string[] }[];
}

export interface StoreFigures {
  rows: Record<string, number>;
  /** The SQLite file and its write-ahead log, MB. */
  sqliteVersion: string;
  databaseMB: number;
  walMB: number;
}

/** The ingest worker's commands (bench/lib/ingest-worker.ts): arguments and answers. */
export interface IngestCommands {
  /** TenantAccess.graphToken: records the tenant, its consent and the sync grant; returns the user's Graph token. */
  grant: { args: { ssoToken: string; user: SignedInUser }; result: { graphToken: string; firstRoundRequested: boolean } };
  round: { args: Record<string, never>; result: RoundFigures };
  policy: { args: { policy: unknown }; result: PolicyFigures };
  feedSeq: { args: Record<string, never>; result: { seq: number } };
  queries: { args: { samples: number; sinceSeq: number; seed: number }; result: QueryFigures };
  store: { args: Record<string, never>; result: StoreFigures };
}
