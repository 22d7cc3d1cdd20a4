import type { ChangeSet } from './directory-changes.js';
import type { BaselineFigures } from './graph-baseline.js';
import type { Machine } from './machine.js';
import { duration, int, ratio, table, verdict } from './report.js';
import { spread } from './stats.js';
import { photoChecks } from './traffic.js';
import type { PolicyFigures, QueryFigures, RoundFigures, StoreFigures } from './ingest-protocol.js';

/** Everything measured for one tenant size. */
export interface SizeResult {
  users: number;
  groups: number;
  devTenantStartMs: number;
  signedInAs: string;
  /** TenantAccess asked for a first round on the grant (production starts it then; the benchmark times it itself). */
  firstRoundRequested: boolean;
  baselines: BaselineFigures[];
  ingest: RoundFigures;
  policy: PolicyFigures;
  policyDescription: string;
  idle: RoundFigures;
  changes: ChangeSet;
  changed: RoundFigures;
  queries: QueryFigures;
  store: StoreFigures;
}

/** Targets from issue 4 ("Scale") and issue 9 (directory ingest). */
export const TARGETS = { ingestRatio: 1.5, peakRssMB: 400, idleRequests: 2 };

/**
 * A round split by what it was doing, from the transport's timestamps: users delta until the first
 * groups delta request, groups delta (and the end-of-round sweep) until the first photo `$batch`, the
 * photo checks until the last `$batch` was answered, then the rest (audiences, run record).
 * "Without photos" is the round minus the photo span.
 */
export function roundParts(round: RoundFigures): { usersMs: number; groupsMs: number; photosMs: number; withoutPhotosMs: number; batches: number; graphWaitMs: number; cpuMs: number; deltaPages: number } {
  const k = round.traffic.byKind;
  const span = photoChecks(round.traffic);
  const photosMs = span ? span.endMs - span.startMs : 0;
  // The two delta queries run side by side: each one's span is from its first request sent to its last answered.
  const spanOf = (kind: 'users-delta' | 'groups-delta') => (k[kind].lastAnsweredMs ?? 0) - (k[kind].firstSentMs ?? 0);
  return {
    usersMs: spanOf('users-delta'),
    groupsMs: spanOf('groups-delta'),
    photosMs,
    withoutPhotosMs: round.wallMs - photosMs,
    batches: k.batch.requests,
    graphWaitMs: k['users-delta'].ms + k['groups-delta'].ms,
    cpuMs: round.traffic.cpuBeforePhotosMs,
    deltaPages: k['users-delta'].requests + k['groups-delta'].requests,
  };
}

const median = (values: number[]) => spread(values).median;
const baselineMs = (r: SizeResult) => median(r.baselines.map((b) => b.wallMs));

/** A plan that reads its table through a key or an index, never `SCAN table` (a full pass). */
export const usesIndexes = (plans: QueryFigures['plans']): boolean => plans.length > 0 && plans.every((p) => p.plan.every((line) => !/^SCAN /.test(line)));

/** Of several runs of one size, the one whose step-2 ratio is the median: the table shows it. */
export function medianRun(runs: readonly SizeResult[]): SizeResult {
  const ratioOf = (r: SizeResult) => roundParts(r.ingest).withoutPhotosMs / baselineMs(r);
  return [...runs].sort((a, b) => ratioOf(a) - ratioOf(b))[Math.floor((runs.length - 1) / 2)]!;
}

/**
 * The report section. `sizes` holds, per tenant size, every run of it (each from scratch); the
 * table shows the median run and a line gives the spread of the main figures.
 */
export function renderSyncIngestReport(input: { date: Date; machine: Machine; command: string; totalMs: number; seed: number; sizes: SizeResult[][] }): string {
  const { machine } = input;
  const results = input.sizes.map(medianRun);
  const repeated = input.sizes.filter((runs) => runs.length > 1);
  const out: string[] = [];
  out.push('## Directory ingest: the sync core against the dev tenant');
  out.push('');
  out.push(`- **Date:** ${input.date.toISOString().replace('T', ' ').slice(0, 16)} UTC; whole run ${duration(input.totalMs)}`);
  out.push(`- **Command:** \`${input.command}\``);
  out.push(`- **Machine:** ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}`);
  out.push(
    `- **Setup:** the dev tenant (\`node dist/dev-tenant.js --users N --groups G --seed ${input.seed}\`) in one process, HTTPS on loopback; ` +
      'the sync core wired by `createSyncCore` on a fresh SQLite store in a second process (its peak RSS is its own); ' +
      'the grant recorded through `TenantAccess.graphToken` for the first synthetic user; rounds timed around `runner.run(tenantId, "manual")`. ' +
      `SQLite ${results[0]?.store.sqliteVersion ?? '?'} (better-sqlite3), WAL. How each figure is taken: [README.md](README.md).`,
  );
  out.push(
    `- **Noise:** the baseline is paged ${results[0]?.baselines.length ?? 0} times per run (min / median / max in step 1) and ratios use its median. ` +
      'A first round happens once per store, so rounds are measured once per run' +
      (repeated.length > 0
        ? `; ${repeated.map((runs) => `the ${int(runs[0]!.users)}-user size was run ${runs.length} times from scratch: its table shows the median run (by the step-2 ratio) and a line under it the spread`).join(', ')}.`
        : '.'),
  );
  const policyDescription = results[0]?.policyDescription;
  if (policyDescription) out.push(`- **Policy saved in step 6:** ${policyDescription}.`);
  for (const [i, r] of results.entries()) {
    const runs = input.sizes[i]!;
    out.push('');
    out.push(`### ${int(r.users)} users, ${int(r.groups)} groups${runs.length > 1 ? ` (median of ${runs.length} runs)` : ''}`);
    out.push('');
    out.push(sizeTable(r));
    out.push('');
    out.push(detailLines(r));
    if (runs.length > 1) out.push(spreadLine(runs));
  }
  const largest = results.at(-1);
  if (largest) {
    out.push('');
    out.push(`Query plans (SQLite \`EXPLAIN QUERY PLAN\`, ${int(largest.users)}-user run), for the statements the two questions ran:`);
    out.push('');
    for (const p of largest.queries.plans) out.push(`- \`${p.sql}\`  \n  → ${p.plan.map((l) => `\`${l}\``).join('; ')}`);
  }
  out.push('');
  out.push('### What this means');
  out.push('');
  out.push(meaning(results));
  return out.join('\n');
}

function sizeTable(r: SizeResult): string {
  const base = spread(r.baselines.map((b) => b.wallMs));
  const b0 = r.baselines[0]!;
  const parts = roundParts(r.ingest);
  const partsRatio = parts.withoutPhotosMs / base.median;
  const wholeRatio = r.ingest.wallMs / base.median;
  const idleReq = r.idle.run.graphRequests;
  const mem = r.ingest.memory;
  const q = r.queries;
  const indexed = usesIndexes(q.plans);
  const k = r.changed.traffic.byKind;
  const rows: string[][] = [
    [
      `1. Bare paging of users + groups delta (${r.baselines.length} runs: min / median / max)`,
      `${duration(base.min)} / **${duration(base.median)}** / ${duration(base.max)}; ${int(b0.requests)} requests, ${int(b0.objects)} objects, ${int(b0.bytes / 1e6)} MB`,
      '—',
      'baseline',
    ],
    [
      '2. First full round without the photo checks (delta pages into the store, sweep, audiences)',
      `**${duration(parts.withoutPhotosMs)}**; ${int(parts.deltaPages)} delta requests`,
      `≤ ${TARGETS.ingestRatio}× baseline (${duration(base.median * TARGETS.ingestRatio)})`,
      `${verdict(partsRatio <= TARGETS.ingestRatio)}: ${ratio(partsRatio)}`,
    ],
    ['3. Photo checks in the same round (metadata of every user, `$batch` of 20)', `${duration(parts.photosMs)}; ${int(parts.batches)} batch requests`, '—', 'reported'],
    [
      '4. First full round, whole (Graph requests from `sync_runs.graph_requests`)',
      `${duration(r.ingest.wallMs)}; **${int(r.ingest.run.graphRequests)} Graph requests**, ${int(r.ingest.run.throttled)} throttled`,
      '—',
      `reported: ${ratio(wholeRatio)} baseline`,
    ],
    [
      '5. Peak RSS of the sync process over the first round (`maxRSS`)',
      `**${int(mem.maxRssMB)} MB** (sampled peaks: ${int(mem.sampledPeakRssMB.beforePhotos)} MB before the photo checks, ${mem.sampledPeakRssMB.photos === undefined ? '—' : `${int(mem.sampledPeakRssMB.photos)} MB`} during them; V8 heap ≤ ${int(mem.peakHeapMB)} MB)`,
      `≤ ${TARGETS.peakRssMB} MB`,
      verdict(mem.maxRssMB <= TARGETS.peakRssMB),
    ],
    [
      '6. Policy save: validation, audit, recompute of audiences and change feed',
      `${duration(r.policy.wallMs)}; ${int(r.policy.audiences)} audiences, ${int(r.policy.usersReceiving)} users receiving, ${int(r.policy.feedEntries)} feed entries; process peak RSS then ${int(r.policy.memory.maxRssMB)} MB (V8 heap ≤ ${int(r.policy.memory.peakHeapMB)} MB)`,
      '—',
      'reported',
    ],
    ['7. Delta round, no changes', `**${int(idleReq)} requests**; ${duration(r.idle.wallMs)}`, `≤ ${TARGETS.idleRequests} requests`, verdict(idleReq <= TARGETS.idleRequests)],
    [
      `8. Delta round after ${int(r.changes.jobTitles + r.changes.membershipChanges)} changes (${int(r.changes.jobTitles)} job titles; ${int(r.changes.membershipChanges)} membership changes = ${int(r.changes.membershipChanges / 2)} department moves)`,
      `${duration(r.changed.wallMs)}; ${int(r.changed.run.graphRequests)} requests (${int(k['users-delta'].requests)} users delta, ${int(k['groups-delta'].requests)} groups delta, ${int(k.batch.requests)} photo batches for the changed users); ${int(r.changed.run.usersChanged)} users changed, ${int(r.changed.run.contactChanges)} feed entries`,
      '—',
      'reported',
    ],
    [
      `9. "Which contacts does U see" (audienceOf + audienceContacts), ${q.contactsOf.samples} random receiving users`,
      `median ${duration(q.contactsOf.medianMs)}, p95 ${duration(q.contactsOf.p95Ms)}, max ${duration(q.contactsOf.maxMs)}; answers: median ${int(q.contactsOf.medianRows)} contacts, max ${int(q.contactsOf.maxRows)}`,
      'indexed, no scan',
      `${verdict(indexed)} (plans below)`,
    ],
    [
      '10. "What changed since N for U" (audienceOf + changesSince), N = feed position before the changes of step 8',
      `median ${duration(q.changesSince.medianMs)}, p95 ${duration(q.changesSince.p95Ms)}, max ${duration(q.changesSince.maxMs)}; answers: median ${int(q.changesSince.medianRows)} changes, max ${int(q.changesSince.maxRows)}`,
      'indexed, no scan',
      `${verdict(indexed)} (plans below)`,
    ],
  ];
  return table(['step', 'value', 'target', 'verdict'], rows);
}

function detailLines(r: SizeResult): string {
  const parts = roundParts(r.ingest);
  const users = median(r.baselines.map((b) => b.users.wallMs));
  const groups = median(r.baselines.map((b) => b.groups.wallMs));
  const rows = Object.entries(r.store.rows)
    .map(([t, n]) => `${t} ${int(n)}`)
    .join(', ');
  return [
    `- Both the sync and the bare client page the two delta queries side by side. Users delta: bare paging ${duration(users)}, pages answered over ${duration(parts.usersMs)} in the round (${ratio(parts.usersMs / users)}). ` +
      `Groups delta with members: bare paging ${duration(groups)}, pages answered over ${duration(parts.groupsMs)} in the round (${ratio(parts.groupsMs / groups)}).`,
    `- Of the ${duration(parts.withoutPhotosMs)} without photos, the sync process used ${duration(parts.cpuMs)} of CPU (${duration(parts.cpuMs / parts.deltaPages)} a page: SDK, diffing, ` +
      `AES-GCM sealing, SQLite writes), and delta requests were in flight for ${duration(parts.graphWaitMs)} in all; the two overlap, since the next page is asked for while one is written. ` +
      `Bare paging costs ${duration(baselineMs(r) / r.baselines[0]!.requests)} a page here.`,
    `- Store afterwards: ${int(r.store.databaseMB)} MB database + ${int(r.store.walMB)} MB write-ahead log; rows: ${rows}.`,
    `- Dev tenant start (generating the tenant): ${duration(r.devTenantStartMs)}; signed in as ${r.signedInAs}${r.firstRoundRequested ? ' (TenantAccess asked for the first round on the grant, as in production; the benchmark ran it itself)' : ''}.`,
  ].join('\n');
}

/** min / median / max over the runs of one size, for the figures that move. */
function spreadLine(runs: SizeResult[]): string {
  const show = (values: number[], format: (n: number) => string) => {
    const { min, median: mid, max } = spread(values);
    return `${format(min)} / ${format(mid)} / ${format(max)}`;
  };
  const figures: [string, string][] = [
    ['bare paging (median of each run)', show(runs.map(baselineMs), duration)],
    ['step 2', show(runs.map((r) => roundParts(r.ingest).withoutPhotosMs), duration)],
    ['step 2 ratio', show(runs.map((r) => roundParts(r.ingest).withoutPhotosMs / baselineMs(r)), ratio)],
    ['step 4', show(runs.map((r) => r.ingest.wallMs), duration)],
    ['step 5', show(runs.map((r) => r.ingest.memory.maxRssMB), (n) => `${int(n)} MB`)],
    ['step 6', show(runs.map((r) => r.policy.wallMs), duration)],
    ['step 8', show(runs.map((r) => r.changed.wallMs), duration)],
    ['step 9 p95', show(runs.map((r) => r.queries.contactsOf.p95Ms), duration)],
    ['step 10 p95', show(runs.map((r) => r.queries.changesSince.p95Ms), duration)],
  ];
  return `- Spread over the ${runs.length} runs (min / median / max): ${figures.map(([name, value]) => `${name} ${value}`).join('; ')}.`;
}

function meaning(results: SizeResult[]): string {
  const out: string[] = [];
  const large = results.at(-1);
  if (!large) return '';
  const small = results.length > 1 ? results[0]! : undefined;
  const p = roundParts(large.ingest);
  const base = baselineMs(large);
  out.push(
    `At ${int(large.users)} users a first round without photo checks takes ${ratio(p.withoutPhotosMs / base)} the time needed merely to page the same data ` +
      `(target ${TARGETS.ingestRatio}×: ${p.withoutPhotosMs / base <= TARGETS.ingestRatio ? 'met' : 'missed'}). ` +
      `The round asks for the next page while it writes the current one, so its time is about the longer of the two: the sync process used ${duration(p.cpuMs)} of CPU ` +
      `against ${duration(base)} of bare paging, so ${p.cpuMs >= 0.7 * p.withoutPhotosMs ? "the round is bound by the sync process's own work (what to trim: bench/README.md, --cpu-prof)" : 'most of the round is waiting for pages, which come more slowly than to the bare client (the dev tenant and the sync process share the two cores)'}.`,
  );
  if (small) {
    const perPage = (r: SizeResult) => baselineMs(r) / r.baselines[0]!.requests;
    const slower = perPage(large) > 2 * perPage(small);
    out.push(
      `The ratio depends on how fast the source answers: the dev tenant serves a delta page in ${duration(perPage(small))} on average at ${int(small.users)} users and in ${duration(perPage(large))} at ${int(large.users)}` +
        (slower ? ' (it rebuilds a large group\'s member list for every page of it)' : '') +
        `, and the first round without photos is ${ratio(roundParts(small.ingest).withoutPhotosMs / baselineMs(small))} its paging time at the small size, ${ratio(p.withoutPhotosMs / base)} at the large one. ` +
        'A slower source (Microsoft Graph over the internet) lowers the ratio, a faster one raises it; the time the sync process adds per page is the figure to watch.',
    );
  }
  out.push(
    `Photo checks are the larger part of a first round's traffic: ${int(p.batches)} \`$batch\` requests against ${int(p.deltaPages)} delta pages, ${duration(p.photosMs)}. ` +
      `Peak RSS over the first round is ${int(large.ingest.memory.maxRssMB)} MB (target ${TARGETS.peakRssMB} MB: ${large.ingest.memory.maxRssMB <= TARGETS.peakRssMB ? 'met' : 'missed'}), ` +
      (large.ingest.memory.maxRssMB <= TARGETS.peakRssMB ? 'so the round streams pages rather than holding the tenant' : 'so the round holds more than it should') +
      (large.policy.memory.maxRssMB > TARGETS.peakRssMB ? `; the policy recompute afterwards does not stay under it (${int(large.policy.memory.maxRssMB)} MB for ${int(large.policy.feedEntries)} feed entries).` : '.'),
  );
  out.push(
    `A round with no change costs ${int(large.idle.run.graphRequests)} Graph requests. A round with 1,000 changes costs ${int(large.changed.run.graphRequests)} requests but ${duration(large.changed.wallMs)}` +
      (small
        ? `, ${ratio(large.changed.wallMs / small.changed.wallMs)} what the same changes cost at ${int(small.users)} users` +
          (large.changed.wallMs / small.changed.wallMs >= 2
            ? `: the recompute rereads every audience's contact set, so its time follows the size of the feed (${int(large.policy.feedEntries)} entries), not the size of the change.`
            : '.')
        : '.'),
  );
  const q = large.queries;
  out.push(
    (usesIndexes(q.plans)
      ? 'Both device questions are answered by searching the tables\' key indexes (`SEARCH`, no `SCAN` in any plan): '
      : 'At least one device question scans a table (see the plans): ') +
      `"what changed since N" takes ${duration(q.changesSince.p95Ms)} at p95 for answers of up to ${int(q.changesSince.maxRows)} changes; ` +
      `"which contacts does U see" returns the whole audience (median ${int(q.contactsOf.medianRows)}, up to ${int(q.contactsOf.maxRows)} contacts), so its ${duration(q.contactsOf.p95Ms)} p95 follows the size of the answer.`,
  );
  return out.join(' ');
}
