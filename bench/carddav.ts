import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { davx5 } from '../test/carddav/client-bodies.js';
import { prepareBenchEnvironment } from './lib/bench-environment.js';
import { startOurServer } from './lib/carddav-ours.js';
import { startRadicale, startXandikos, type Card, type ReferenceServer } from './lib/carddav-references.js';
import { renderCardDavReport, type ServerResult } from './lib/carddav-report.js';
import { dav, measure, parseMultistatus, requestFor, REQUESTS, type Measured, type RequestName, type Target } from './lib/carddav-requests.js';
import { releaseOnExit, tempDir } from './lib/children.js';
import { startDevTenantProcess } from './lib/dev-tenant-process.js';
import { describeMachine } from './lib/machine.js';
import { vdirsyncerWholeSync } from './lib/vdirsyncer-sync.js';
import { duration, int, writeReportSection } from './lib/report.js';

/**
 * CardDAV benchmark (issues 5 and 9): our CardDAV router over a 10k-user synthetic tenant synced with
 * the production wiring, against Radicale and Xandikos from Debian serving the same vCards, all plain
 * HTTP on loopback. Each request is timed (median of --runs, fewer when a run takes over 20 s), and
 * the ratios go to bench/REPORT.md (section `carddav`). Reports only: nothing fails on a figure.
 *
 * `node dist/bench/carddav.js [--users 10000] [--groups 200] [--seed 1] [--runs 5] [--timeout 120]
 *  [--report bench/REPORT.md | --no-report] [--skip-references]`
 */

const SYNTHETIC_DOMAIN = 'synthetic.example';
const SLOW_MS = 20_000;

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    groups: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '120' },
    report: { type: 'string', default: 'bench/REPORT.md' },
    'no-report': { type: 'boolean', default: false },
    'skip-references': { type: 'boolean', default: false },
    'skip-vdirsyncer': { type: 'boolean', default: false },
    'vdirsyncer-timeout': { type: 'string', default: '600' },
  },
});
releaseOnExit();
const started = performance.now();
const { root, config } = prepareBenchEnvironment();

const users = Number(values.users);
const groups = Number(values.groups);
const seed = Number(values.seed);
const measureOptions = { runs: Number(values.runs), slowMs: SLOW_MS, timeoutMs: Number(values.timeout) * 1000 };
const log = (m: string) => console.log(`[carddav] ${m}`);

const dev = await startDevTenantProcess({ root, users, groups, seed });
log(`dev tenant up at ${dev.baseUrl}`);
const tmp = tempDir('switchboard-carddav-');
const references: ReferenceServer[] = [];
try {
  const listing = await dev.tenants();
  const tenant = listing.tenants.find((x) => x.domain === SYNTHETIC_DOMAIN);
  if (!tenant) throw new Error(`the dev tenant has no ${SYNTHETIC_DOMAIN} tenant`);
  const ours = await startOurServer({ dev, tenant, password: listing.password, identifierUri: config.entra.identifierUri, sqlitePath: path.join(tmp.dir, 'switchboard.db'), log });
  try {
    // The cards our server serves, exported with one multiget, become the reference servers' books.
    const ourHrefs = await cardHrefs(ours, measureOptions.timeoutMs);
    const all = await dav(ours, 'REPORT', ours.book, requestFor('multigetAll', ourHrefs).body, '1', measureOptions.timeoutMs);
    const cards: Card[] = parseMultistatus(all.text).responses
      .filter((r) => r.card)
      .map((r) => ({ name: decodeURIComponent(r.href.split('/').filter(Boolean).at(-1)!).replace(/(\.vcf)?$/, '.vcf'), text: r.card! }));
    log(`our book: ${int(cards.length)} cards, ${int(all.bytes)} bytes in one multiget`);

    const results: ServerResult[] = [];
    const ourResult = await measureServer('Switchboard', ours, measureOptions);
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

    if (!values['skip-references']) {
      for (const start of [startRadicale, startXandikos]) {
        const dir = path.join(tmp.dir, start === startRadicale ? 'radicale' : 'xandikos');
        const t = performance.now();
        const ref = await start(dir, cards);
        references.push(ref);
        log(`${ref.name} ${ref.version} up with the cards in ${duration(performance.now() - t)}`);
        try {
          results.push(await measureServer(ref.name, ref, measureOptions, ref));
        } finally {
          await ref.stop();
        }
      }
    }
    const totalMs = performance.now() - started;
    const command = process.env.BENCH_COMMAND ?? ['node dist/bench/carddav.js', ...process.argv.slice(2)].join(' ');
    const markdown = renderCardDavReport({ date: new Date(), machine: describeMachine(), command, totalMs, users, groups, seed, cards: cards.length, multigetBytes: all.bytes, ourDescription: ours.description, runs: measureOptions.runs, timeoutS: Number(values.timeout), results });
    if (values['no-report']) process.stdout.write(`\n${markdown}\n`);
    else {
      writeReportSection(path.resolve(root, values.report), `carddav-${users}`, markdown);
      console.log(`\nWrote ${values.report} (section carddav-${users}) after ${duration(totalMs)}`);
    }
  } finally {
    await ours.stop();
  }
} finally {
  for (const ref of references) await ref.stop();
  await dev.stop();
  tmp.remove();
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

async function measureServer(name: string, target: Target, options: typeof measureOptions, ref?: ReferenceServer): Promise<ServerResult> {
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
    requests.syncNoChange = { runs: [], medianMs: undefined, status: initial?.status, bytes: undefined, responses: undefined, cards: undefined, failure: 'no sync token from the initial sync-collection' };
  }
  for (const req of ['multiget100', 'multigetAll'] as const) {
    const { method, depth, body } = requestFor(req, hrefs);
    requests[req] = await measure((timeoutMs) => dav(target, method, target.book, body, depth, timeoutMs), options);
    report(req);
    if (requests[req]!.failure) break;
  }
  let client: ServerResult['client'];
  if (!values['skip-vdirsyncer']) {
    const dir = path.join(tmp.dir, `vdirsyncer-${name.toLowerCase()}`);
    fs.mkdirSync(dir, { recursive: true });
    client = await vdirsyncerWholeSync(target, dir, Number(values['vdirsyncer-timeout']) * 1000);
    log(`${name} vdirsyncer: ${client.failure ?? `initial ${duration(client.initialMs!)} (${int(client.cards!)} cards), no-op ${duration(client.noopMs!)}`}`);
  }
  return { name, version: ref?.version, command: ref?.command, cards: hrefs.length, warmUpMs: warmMs, requests, notes: [], client };
}
