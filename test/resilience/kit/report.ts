import fs from 'node:fs';
import path from 'node:path';

/**
 * What the resilience suite tried and what came of it, for docs/reliability.md. Test files call
 * `record`; under `npm run test:resilience` (RESILIENCE_RESULTS names a folder) each record is one
 * JSON line in that folder, and the suite's global teardown writes the document from them. Under
 * plain `npm test` nothing is written, so CI leaves the tree clean.
 */
export interface CaseRecord {
  /** The part of issue 10: tokens, isolation, bad-input, graph-faults, crashes, instances, load. */
  part: string;
  /** What was tried. */
  name: string;
  /** Requests or attempts made in this case. */
  tried: number;
  /** How many of them did not come out as required (a failing test fails anyway). */
  failures: number;
  durationMs: number;
  /** Figures worth writing down: statuses seen, lost/duplicated/stale counts, latencies, memory. */
  figures?: Record<string, string | number | boolean>;
}

const FOLDER = process.env.RESILIENCE_RESULTS;

export function record(entry: CaseRecord): void {
  if (!FOLDER) return;
  fs.mkdirSync(FOLDER, { recursive: true });
  fs.appendFileSync(path.join(FOLDER, `${entry.part}.jsonl`), `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
}

/** Times `fn` and records it; the record is written even when `fn` throws (then as one failure). */
export async function timed<T>(part: string, name: string, fn: () => Promise<{ tried: number; failures?: number; figures?: CaseRecord['figures']; value?: T }>): Promise<T | undefined> {
  const started = performance.now();
  try {
    const { tried, failures = 0, figures, value } = await fn();
    record({ part, name, tried, failures, durationMs: Math.round(performance.now() - started), ...(figures ? { figures } : {}) });
    return value;
  } catch (err) {
    record({ part, name, tried: 1, failures: 1, durationMs: Math.round(performance.now() - started), figures: { error: String(err instanceof Error ? err.message : err).slice(0, 300) } });
    throw err;
  }
}
