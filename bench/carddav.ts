import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { davx5 } from '../test/carddav/client-bodies.js';
import { prepareBenchEnvironment } from './lib/bench-environment.js';
import { startOurServer } from './lib/carddav-ours.js';
import { startRadicale, startXandikos, type Card, type ReferenceServer } from './lib/carddav-references.js';
import { renderCardDavReport, type IncrementalFigure, type ServerResult } from './lib/carddav-report.js';
import { dav, measure, parseMultistatus, requestFor, REQUESTS, type MeasureOptions, type Measured, type RequestName, type Target } from './lib/carddav-requests.js';
import { releaseOnExit, tempDir } from './lib/children.js';
import { startDevTenantProcess } from './lib/dev-tenant-process.js';
import { describeMachine } from './lib/machine.js';
import { vdirsyncerWholeSync } from './lib/vdirsyncer-sync.js';
import { duration, int, writeReportSection } from './lib/report.js';

/**
 * CardDAV benchmark (issues 5 and 9): our CardDAV router in its own process, over synthetic tenants synced with the
 * production wiring, against Radicale and Xandikos from Debian serving the same vCards, all plain
 * HTTP on loopback, for books of 1k, 10k and (ours only) 100k cards. Each request is sent untimed
 * until warm (up to 200 times within 1 s), then timed (median of at least --runs, up to 25 while they
 * total under 1 s; fewer when a run takes over 20 s), and each size writes its section `carddav-USERS` of bench/REPORT.md. The
 * incremental-sync targets compare sizes, so the largest book's section judges them against the
 * smallest book of the same run. Reports only: nothing fails on a figure.
 *
 * `node dist/bench/carddav.js [--sizes 1000x20,10000x200,100000x2000] [--references-up-to 10000]
 *  [--seed 1] [--runs 5] [--timeout 120] [--report bench/REPORT.md | --no-report] [--skip-references]
 *  [--skip-vdirsyncer] [--vdirsyncer-timeout 300] [--cpu-prof]`
 *
 * `--cpu-prof` writes a CPU profile of our server's process per size to dist/bench/profiles/.
 */

const SYNTHETIC_DOMAIN = 'synthetic.example';
const SLOW_MS = 20_000;
const RUN_BUDGET_MS = 1_000;
const MAX_RUNS = 25;
const WARM_UP_BUDGET_MS = 1_000;
const WARM_UP_MAX_RUNS = 200;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000x20,10000x200,100000x2000' },
    'references-up-to': { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '120' },
    report: { type: 'string', default: 'bench/REPORT.md' },
    'no-report': { type: 'boolean', default: false },
    'skip-references': { type: 'boolean', default: false },
    'skip-vdirsyncer': { type: 'boolean', default: false },
    'vdirsyncer-timeout': { type: 'string', default: '300' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
releaseOnExit();
const { root, config } = prepareBenchEnvironment();

const sizes = values.sizes.split(',').map((spec) => {
  const [users, groups] = spec.split('x').map(Number);
  if (!users || !groups) throw new Error(`--sizes: "${spec}" is not USERSxGROUPS`);
  return { users, groups };
});
const seed = Number(values.seed);
const measureOptions: MeasureOptions = { warmUpBudgetMs: WARM_UP_BUDGET_MS, warmUpMaxRuns: WARM_UP_MAX_RUNS, runs: Number(values.runs), budgetMs: RUN_BUDGET_MS, maxRuns: MAX_RUNS, slowMs: SLOW_MS, timeoutMs: Number(values.timeout) * 1000 };
const command = process.env.BENCH_COMMAND ?? ['node dist/bench/carddav.js', ...process.argv.slice(2)].join(' ');
const log = (m: string) => console.log(`[carddav] ${m}`);

const oneChange: IncrementalFigure[] = [];
for (const { users, groups } of sizes) {
  const withReferences = !values['skip-references'] && users <= Number(values['references-up-to']);
  const section = await benchSize(users, groups, withReferences);
  if (section.oneChangeMs !== undefined) oneChange.push({ users, cards: section.cards, ms: section.oneChangeMs });
  const markdown = section.render(oneChange);
  if (values['no-report']) process.stdout.write(`\n${markdown}\n`);
  else {
    writeReportSection(path.resolve(root, values.report), `carddav-${users}`, markdown);
    console.log(`\nWrote ${values.report} (section carddav-${users})`);
  }
}

/** One book size: the dev tenant, our server and (when asked) the references, every request timed. */
async function benchSize(users: number, groups: number, withReferences: boolean): Promise<{ cards: number; oneChangeMs: number | undefined; render: (incremental: IncrementalFigure[]) => string }> {
  const started = performance.now();
  const dev = await startDevTenantProcess({ root, users, groups, seed });
  log(`dev tenant (${int(users)} users) up at ${dev.baseUrl}`);
  const tmp = tempDir('switchboard-carddav-');
  const references: ReferenceServer[] = [];
  try {
    const listing = await dev.tenants();
    const tenant = listing.tenants.find((x) => x.domain === SYNTHETIC_DOMAIN);
    if (!tenant) throw new Error(`the dev tenant has no ${SYNTHETIC_DOMAIN} tenant`);
    const ours = await startOurServer({ root, dev, tenant, password: listing.password, identifierUri: config.entra.identifierUri, sqlitePath: path.join(tmp.dir, 'switchboard.db'), ...(values['cpu-prof'] ? { cpuProfDir: path.join(root, 'dist', 'bench', 'profiles') } : {}), log });
    try {
      // The cards our server serves, exported with one multiget, become the reference servers' books.
      const ourHrefs = await cardHrefs(ours, measureOptions.timeoutMs);
      const all = await dav(ours, 'REPORT', ours.book, requestFor('multigetAll', ourHrefs).body, '1', measureOptions.timeoutMs);
      const cards: Card[] = parseMultistatus(all.text).responses
        .filter((r) => r.card)
        .map((r) => ({ name: decodeURIComponent(r.href.split('/').filter(Boolean).at(-1)!).replace(/(\.vcf)?$/, '.vcf'), text: r.card! }));
      log(`our book: ${int(cards.length)} cards, ${int(all.bytes)} bytes in one multiget`);

      const results: ServerResult[] = [];
      const ourResult = await measureServer('Switchboard', ours, measureOptions, tmp.dir);
      // Incremental: the token before one change, one user changed in the dev tenant, one sync round.
      const before = parseMultistatus((await dav(ours, 'REPORT', ours.book, davx5.syncCollection(null), '0', measureOptions.timeoutMs)).text).syncToken!;
      const { roundMs } = await ours.changeOneUser(1);
      log(`one change: sync round ${duration(roundMs)}`);
      ourResult.requests.syncOneChange = await measure((timeoutMs) => dav(ours, 'REPORT', ours.book, davx5.syncCollection(before), '0', timeoutMs), measureOptions);
      ourResult.notes.push(`sync round after the one change (dev tenant → store → change feed): ${duration(roundMs)}`);
      ourResult.notes.push(`first sync round and policy save for ${int(users)} users: ${duration(ours.ingestMs)}`);
      // The figures above are with the card cache warm (the export multiget filled it), as every device
      // after the first finds it. The first device after a change, or any device with the cache off, pays this:
      const cold: string[] = [];
      for (const req of ['syncInitialData', 'multiget100', 'multigetAll'] as const) {
        const { method, depth, body } = requestFor(req, ourHrefs);
        const m = await measure((timeoutMs) => dav(ours.uncached, method, ours.book, body, depth, timeoutMs), measureOptions);
        cold.push(`${REQUESTS.find((r) => r.name === req)!.label}: ${m.failure ?? duration(m.medianMs!)}`);
      }
      log(`card cache off: ${cold.join('; ')}`);
      ourResult.notes.push(`with the card cache off (\`CARDDAV_CACHE_MB=0\`: every card decrypted, projected and rendered on each request, as for the first device after a change): ${cold.join('; ')}`);
      results.push(ourResult);

      if (withReferences) {
        for (const start of [startRadicale, startXandikos]) {
          const dir = path.join(tmp.dir, start === startRadicale ? 'radicale' : 'xandikos');
          const t = performance.now();
          const ref = await start(dir, cards);
          references.push(ref);
          log(`${ref.name} ${ref.version} up with the cards in ${duration(performance.now() - t)}`);
          try {
            results.push(await measureServer(ref.name, ref, measureOptions, tmp.dir, ref));
          } finally {
            await ref.stop();
          }
        }
      }
      const totalMs = performance.now() - started;
      const oneChangeMs = ourResult.requests.syncOneChange.failure ? undefined : ourResult.requests.syncOneChange.medianMs;
      return {
        cards: cards.length,
        oneChangeMs,
        render: (incremental) =>
          renderCardDavReport({ date: new Date(), machine: describeMachine(), command, totalMs, users, groups, seed, cards: cards.length, multigetBytes: all.bytes, ourDescription: ours.description, runs: measureOptions.runs, maxRuns: MAX_RUNS, budgetS: RUN_BUDGET_MS / 1000, warmUpS: WARM_UP_BUDGET_MS / 1000, warmUpMaxRuns: WARM_UP_MAX_RUNS, timeoutS: Number(values.timeout), results, incremental }),
      };
    } finally {
      await ours.stop();
    }
  } finally {
    for (const ref of references) await ref.stop();
    await dev.stop();
    tmp.remove();
  }
}

/** The hrefs of the cards in a book, from a Depth 1 listing. */
async function cardHrefs(target: Target, timeoutMs: number): Promise<string[]> {
  const res = await dav(target, 'PROPFIND', target.book, requestFor('listing', []).body, '1', timeoutMs);
  if (res.status !== 207) throw new Error(`listing ${target.baseUrl}${target.book}: ${res.status} ${res.text.slice(0, 300)}`);
  const bookPath = target.book.replace(/\/$/, '');
  return parseMultistatus(res.text)
    .responses.map((r) => r.href)
    .filter((h) => decodeURIComponent(new URL(h, target.baseUrl).pathname).replace(/\/$/, '') !== bookPath);
}

async function measureServer(name: string, target: Target, options: MeasureOptions, workDir: string, ref?: ReferenceServer): Promise<ServerResult> {
  // The first listing warms caches (Radicale builds its item cache on first read); not timed.
  const t = performance.now();
  const hrefs = await cardHrefs(target, options.timeoutMs * 5);
  const warmMs = performance.now() - t;
  log(`${name}: ${int(hrefs.length)} cards listed (warm-up ${duration(warmMs)})`);
  const requests: Partial<Record<RequestName, Measured>> = {};
  const report = (req: RequestName) => {
    const m = requests[req]!;
    log(`${name} ${req}: ${m.failure ?? `${duration(m.medianMs!)} median of ${m.runs.length}, ${int(m.responses ?? 0)} responses, ${int(m.cards ?? 0)} vCards, ${int(m.bytes ?? 0)} bytes`}`);
  };
  // The multigets last: a request that times out may keep a single-threaded server busy long after.
  for (const req of ['listing', 'syncInitialEtags', 'syncInitialData'] as const) {
    const { method, depth, body } = requestFor(req, hrefs);
    requests[req] = await measure((timeoutMs) => dav(target, method, target.book, body, depth, timeoutMs), options);
    report(req);
  }
  const initial = await dav(target, 'REPORT', target.book, davx5.syncCollection(null), '0', options.timeoutMs * 5).catch(() => undefined);
  const token = initial?.status === 207 ? parseMultistatus(initial.text).syncToken : undefined;
  if (token) {
    requests.syncNoChange = await measure((timeoutMs) => dav(target, 'REPORT', target.book, davx5.syncCollection(token), '0', timeoutMs), options);
    report('syncNoChange');
  } else {
    requests.syncNoChange = { runs: [], firstMs: undefined, medianMs: undefined, status: initial?.status, bytes: undefined, responses: undefined, cards: undefined, failure: 'no sync token from the initial sync-collection' };
  }
  for (const req of ['multiget100', 'multigetAll'] as const) {
    const { method, depth, body } = requestFor(req, hrefs);
    requests[req] = await measure((timeoutMs) => dav(target, method, target.book, body, depth, timeoutMs), options);
    report(req);
    if (requests[req]!.failure) break;
  }
  let client: ServerResult['client'];
  if (!values['skip-vdirsyncer']) {
    const dir = path.join(workDir, `vdirsyncer-${name.toLowerCase()}`);
    fs.mkdirSync(dir, { recursive: true });
    client = await vdirsyncerWholeSync(target, dir, Number(values['vdirsyncer-timeout']) * 1000);
    log(`${name} vdirsyncer: ${client.failure ?? `initial ${duration(client.initialMs!)} (${int(client.cards!)} cards), no-op ${duration(client.noopMs!)}`}`);
  }
  return { name, version: ref?.version, command: ref?.command, cards: hrefs.length, warmUpMs: warmMs, requests, notes: [], client };
}
