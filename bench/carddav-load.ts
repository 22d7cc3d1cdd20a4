import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { davx5 } from '../test/carddav/client-bodies.js';
import { prepareBenchEnvironment } from './lib/bench-environment.js';
import { startOurServer } from './lib/carddav-ours.js';
import { dav, parseMultistatus } from './lib/carddav-requests.js';
import { releaseOnExit, tempDir } from './lib/children.js';
import { startDevTenantProcess } from './lib/dev-tenant-process.js';
import { describeMachine } from './lib/machine.js';
import { duration, int, table, verdict, writeReportSection } from './lib/report.js';
import { spread } from './lib/stats.js';

/**
 * Many devices polling at once (issue 9 "Load"): our CardDAV server (the production router over a
 * synced synthetic tenant, as bench/carddav.ts serves it) answering no-change sync-collection
 * requests from 100, 1,000 and 10,000 distinct devices — each request with its own device's
 * credentials, book and sync token, rotating through them — driven by Debian's `wrk` (C, one
 * thread) over a bounded number of keep-alive connections for a bounded time. Targets: ≥ 1,000
 * requests/s with p99 < 50 ms. Reports only.
 *
 * `node dist/bench/carddav-load.js [--users 10000] [--groups 200] [--seed 1] [--devices 100,1000,10000]
 *  [--connections 16] [--seconds 10] [--runs 3] [--report bench/REPORT.md | --no-report]`
 */

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    groups: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    devices: { type: 'string', default: '100,1000,10000' },
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    report: { type: 'string', default: 'bench/REPORT.md' },
    'no-report': { type: 'boolean', default: false },
  },
});
releaseOnExit();
const exec = promisify(execFile);
const log = (m: string) => console.log(`[carddav-load] ${m}`);
const deviceCounts = values.devices.split(',').map(Number);
const maxConnections = Number(values.connections);
const seconds = Number(values.seconds);
const runs = Number(values.runs);

const wrk = await exec('wrk', ['--version']).then(
  (r) => /wrk [^ ]+ ?\[?\w*\]?/.exec(r.stdout + r.stderr)?.[0]?.trim() ?? 'wrk',
  (err: { stdout?: string; stderr?: string; code?: unknown }) => (err.code === 'ENOENT' ? undefined : `${err.stdout ?? ''}${err.stderr ?? ''}`.split('\n')[0]!.trim()),
);
if (!wrk) {
  console.error('carddav-load needs wrk: apt-get install wrk');
  process.exit(2);
}

interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

/** wrk --latency output: "Requests/sec: N", latency percentiles "50% 1.23ms", errors and non-2xx counts. */
function parseWrk(out: string): WrkResult {
  const ms = (label: string) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`no ${label}% latency in wrk output:\n${out}`);
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const badStatus = /^bad-status (\d+)$/m.exec(out);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50Ms: ms('50'),
    p99Ms: ms('99'),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    errors: (socketErrors ? socketErrors.slice(1).reduce((s, n) => s + Number(n), 0) : 0) + Number(non2xx?.[1] ?? 0) + Number(badStatus?.[1] ?? 0),
  };
}

/**
 * The wrk script: one request per device in turn, each with its own Authorization, book and the
 * current sync token; a response other than 207 Multi-Status is counted (a no-change answer is a
 * 207 with no responses, which wrk alone would not tell from a 207 listing everything).
 */
function wrkScript(devices: { book: string; authorization: string }[], body: string): string {
  const lua = (s: string) => JSON.stringify(s);
  return `local devices = {
${devices.map((d) => `  {${lua(d.book)}, ${lua(d.authorization)}},`).join('\n')}
}
local body = ${lua(body)}
local i = 0
local bad = 0
request = function()
  i = i % #devices + 1
  local d = devices[i]
  return wrk.format("REPORT", d[1], { ["Authorization"] = d[2], ["Depth"] = "0", ["Content-Type"] = "application/xml; charset=utf-8" }, body)
end
response = function(status, headers, resp_body)
  if status ~= 207 or string.find(resp_body, "<d:response>", 1, true) or string.find(resp_body, "<D:response>", 1, true) then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("bad-status %d\\n", bad))
end
`;
}

const { root, config } = prepareBenchEnvironment();
const dev = await startDevTenantProcess({ root, users: Number(values.users), groups: Number(values.groups), seed: Number(values.seed) });
const tmp = tempDir('switchboard-carddav-load-');
const results: { devices: number; connections: number; runs: WrkResult[] }[] = [];
const started = performance.now();
try {
  const listing = await dev.tenants();
  const tenant = listing.tenants.find((x) => x.domain === 'synthetic.example');
  if (!tenant) throw new Error('the dev tenant has no synthetic.example tenant');
  const ours = await startOurServer({ root, dev, tenant, password: listing.password, identifierUri: config.entra.identifierUri, sqlitePath: path.join(tmp.dir, 'switchboard.db'), log });
  try {
    const t = performance.now();
    const devices = await ours.addDevices(Math.max(...deviceCounts));
    log(`${int(devices.length)} devices connected in ${duration(performance.now() - t)}`);
    // Everyone is in one audience, so one sync token is current for every book.
    const first = devices[0]!;
    const initial = await dav({ baseUrl: ours.baseUrl, book: first.book, authorization: first.authorization }, 'REPORT', first.book, davx5.syncCollection(null), '0', 120_000);
    const token = parseMultistatus(initial.text).syncToken;
    if (!token) throw new Error(`no sync token: ${initial.status} ${initial.text.slice(0, 300)}`);
    const body = davx5.syncCollection(token);
    for (const count of deviceCounts) {
      const connections = Math.min(count, maxConnections);
      const script = path.join(tmp.dir, `devices-${count}.lua`);
      fs.writeFileSync(script, wrkScript(devices.slice(0, count), body));
      const measured: WrkResult[] = [];
      for (let r = 0; r < runs; r++) {
        const { stdout } = await exec('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '--latency', '-s', script, ours.baseUrl], { maxBuffer: 16 * 1024 * 1024 });
        const result = parseWrk(stdout);
        log(`${int(count)} devices, ${connections} connections, run ${r + 1}: ${int(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors`);
        measured.push(result);
      }
      results.push({ devices: count, connections, runs: measured });
    }
  } finally {
    await ours.stop();
  }
} finally {
  await dev.stop();
  tmp.remove();
}

const machine = describeMachine();
const medianBy = (rs: WrkResult[]) => [...rs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(rs.length / 2)]!;
const body = `## carddav-load: many devices polling at once (issue 9)

Command: \`npm run bench -- carddav-load\` (options \`--users ${values.users} --devices ${values.devices} --connections ${values.connections} --seconds ${values.seconds} --runs ${values.runs}\`), ${new Date().toISOString().slice(0, 10)}, ${duration(performance.now() - started)} in all. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load generator ${wrk} (one thread) on the same two cores as the server.

Our CardDAV router over a synced ${int(Number(values.users))}-user synthetic tenant (everyone sees "All Employees", one book per device). Each request is a
no-change \`sync-collection\` REPORT (DAVx5's body) from the next device in turn, with that device's Basic credentials, book and
current sync token, over at most ${values.connections} keep-alive connections for ${values.seconds} s; an answer other than an empty 207 counts as an error.
Median run of ${values.runs} by requests/s; min–max across runs in brackets.

${table(
  ['devices', 'connections', 'requests/s', 'p50', 'p99', 'errors', '≥ 1,000 req/s and p99 < 50 ms'],
  results.map(({ devices, connections, runs: rs }) => {
    const m = medianBy(rs);
    const rps = spread(rs.map((r) => r.requestsPerSecond));
    const p99 = spread(rs.map((r) => r.p99Ms));
    return [int(devices), String(connections), `${int(m.requestsPerSecond)} (${int(rps.min)}–${int(rps.max)})`, `${m.p50Ms.toFixed(2)} ms`, `${m.p99Ms.toFixed(2)} ms (${p99.min.toFixed(1)}–${p99.max.toFixed(1)})`, String(rs.reduce((s, r) => s + r.errors, 0)), verdict(m.requestsPerSecond >= 1000 && m.p99Ms < 50)];
  }),
)}
`;
if (values['no-report']) console.log(body);
else {
  writeReportSection(path.resolve(root, values.report), 'carddav-load', body);
  log(`wrote ${values.report}`);
}
