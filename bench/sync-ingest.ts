import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { devTenantStoreEnvironment, prepareBenchEnvironment, signInSyntheticUser } from './lib/bench-environment.js';
import { releaseOnExit, tempDir } from './lib/children.js';
import { startDevTenantProcess, type DevTenantListing } from './lib/dev-tenant-process.js';
import { changeDirectory } from './lib/directory-changes.js';
import { pageDeltaToEnd } from './lib/graph-baseline.js';
import type { IngestCommands } from './lib/ingest-protocol.js';
import { runIngestWorker } from './lib/ingest-worker.js';
import { describeMachine } from './lib/machine.js';
import { duration, int, writeReportSection } from './lib/report.js';
import { renderSyncIngestReport, type SizeResult } from './lib/sync-ingest-report.js';
import { WorkerClient } from './lib/worker-client.js';

/**
 * Directory ingest benchmark (issue 4 "Scale", issue 9): the sync core as production wires it, against
 * the dev tenant's synthetic tenant, at two sizes (USERSxGROUPS[xRUNS]; the small one three times to
 * show the run-to-run noise). For each run: bare paging of the delta queries (the floor), the first
 * full round (time, Graph requests, peak RSS), a policy save, a delta round with no change and one
 * with 1,000, and the store queries CardDAV and the tab rely on. Figures go to bench/REPORT.md.
 * Reports only: nothing here fails on a figure.
 *
 * `node dist/bench/sync-ingest.js [--sizes 10000x200x3,100000x2000] [--seed 1] [--baseline-runs 3]
 *  [--samples 200] [--report bench/REPORT.md | --no-report] [--cpu-prof]`
 */

const SYNTHETIC_DOMAIN = 'synthetic.example';
const JOB_TITLE_CHANGES = 900;
const DEPARTMENT_MOVES = 50;

interface Options {
  root: string;
  seed: number;
  baselineRuns: number;
  samples: number;
  cpuProfDir: string | undefined;
  identifierUri: string;
}

if (process.argv.includes('--worker')) await runIngestWorker();
else await main();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000x200x3,100000x2000' },
      seed: { type: 'string', default: '1' },
      'baseline-runs': { type: 'string', default: '3' },
      samples: { type: 'string', default: '200' },
      report: { type: 'string', default: 'bench/REPORT.md' },
      'no-report': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  releaseOnExit();
  const started = performance.now();
  const { root, config } = prepareBenchEnvironment();

  const sizes = values.sizes.split(',').map((s) => {
    const [users, groups, runs = 1] = s.split('x').map(Number);
    if (!Number.isInteger(users) || !Number.isInteger(groups) || !Number.isInteger(runs) || runs < 1) throw new Error(`--sizes: "${s}" is not USERSxGROUPS[xRUNS]`);
    return { users: users!, groups: groups!, runs };
  });
  const options: Options = {
    root,
    seed: Number(values.seed),
    baselineRuns: Number(values['baseline-runs']),
    samples: Number(values.samples),
    cpuProfDir: values['cpu-prof'] ? path.join(root, 'dist', 'bench', 'profiles') : undefined,
    identifierUri: config.entra.identifierUri,
  };
  const results: SizeResult[][] = [];
  for (const size of sizes) {
    const runs: SizeResult[] = [];
    // Each run starts from scratch: a new dev tenant, a new store, a new sync process.
    for (let run = 1; run <= size.runs; run++) runs.push(await benchSize(size.users, size.groups, options, size.runs > 1 ? `run ${run}/${size.runs}` : ''));
    results.push(runs);
  }

  const totalMs = performance.now() - started;
  // scripts/bench.mjs says how it was invoked (`npm run bench:sync`, `npm run bench`, …).
  const command = process.env.BENCH_COMMAND ?? ['node dist/bench/sync-ingest.js', ...process.argv.slice(2)].join(' ');
  const markdown = renderSyncIngestReport({ date: new Date(), machine: describeMachine(), command, totalMs, seed: options.seed, sizes: results });
  if (values['no-report']) process.stdout.write(`\n${markdown}\n`);
  else {
    writeReportSection(path.resolve(root, values.report), 'sync-ingest', markdown);
    console.log(`\nWrote ${values.report} (section sync-ingest) after ${duration(totalMs)}`);
  }
}

async function benchSize(users: number, groups: number, options: Options, label: string): Promise<SizeResult> {
  const log = (message: string) => console.log(`[${int(users)} users${label ? `, ${label}` : ''}] ${message}`);
  let t = performance.now();
  const dev = await startDevTenantProcess({ root: options.root, users, groups, seed: options.seed });
  const devTenantStartMs = performance.now() - t;
  log(`dev tenant up at ${dev.baseUrl} in ${duration(devTenantStartMs)}`);
  const tmp = tempDir('switchboard-bench-');
  try {
    const listing = await dev.tenants();
    const tenant = listing.tenants.find((x) => x.domain === SYNTHETIC_DOMAIN);
    if (!tenant) throw new Error(`the dev tenant has no ${SYNTHETIC_DOMAIN} tenant`);
    const signedIn = await signInSyntheticUser(dev, tenant, listing.password, options.identifierUri);
    log(`signed in as ${signedIn.user.username}`);
    const graphBaseUrl = `${dev.baseUrl}/v1.0`;
    const worker = await WorkerClient.start<IngestCommands>({
      name: 'the ingest worker',
      script: fileURLToPath(import.meta.url),
      args: ['--worker'],
      env: { ...process.env, ...devTenantStoreEnvironment(dev, path.join(tmp.dir, 'switchboard.db')) },
      execArgv: options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=sync-ingest-${users}.cpuprofile`] : [],
    });
    try {
      const grant = await worker.call('grant', signedIn);

      const baselines = [];
      for (let i = 0; i < options.baselineRuns; i++) {
        baselines.push(await pageDeltaToEnd(graphBaseUrl, grant.graphToken));
        log(`baseline ${i + 1}: ${duration(baselines.at(-1)!.wallMs)}, ${int(baselines.at(-1)!.requests)} requests`);
      }

      const ingest = await worker.call('round', {});
      log(`first round: ${duration(ingest.wallMs)}, ${int(ingest.run.graphRequests)} Graph requests, max RSS ${ingest.memory.maxRssMB} MB`);

      const { policy, description } = benchPolicy(tenant);
      const policyFigures = await worker.call('policy', { policy });
      log(`policy: ${duration(policyFigures.wallMs)}, ${int(policyFigures.audiences)} audiences, ${int(policyFigures.feedEntries)} feed entries`);

      const idle = await worker.call('round', {});
      log(`no-change round: ${int(idle.run.graphRequests)} requests, ${duration(idle.wallMs)}`);

      const { seq } = await worker.call('feedSeq', {});
      t = performance.now();
      const changes = await changeDirectory(dev, tenant, { baseUrl: graphBaseUrl, token: grant.graphToken }, { jobTitles: JOB_TITLE_CHANGES, moves: DEPARTMENT_MOVES, seed: options.seed, keep: signedIn.user.userId });
      log(`made ${changes.jobTitles} job-title and ${changes.membershipChanges} membership changes in ${duration(changes.wallMs)}`);
      const changed = await worker.call('round', {});
      log(`1,000-change round: ${int(changed.run.graphRequests)} requests, ${duration(changed.wallMs)}, ${int(changed.run.contactChanges)} feed entries`);

      const queries = await worker.call('queries', { samples: options.samples, sinceSeq: seq, seed: options.seed });
      log(`queries: contacts p95 ${queries.contactsOf.p95Ms} ms, changes-since p95 ${queries.changesSince.p95Ms} ms`);
      const store = await worker.call('store', {});
      return { users, groups, devTenantStartMs, signedInAs: signedIn.user.username ?? signedIn.user.userId, firstRoundRequested: grant.firstRoundRequested, baselines, ingest, policy: policyFigures, policyDescription: description, idle, changes, changed, queries, store };
    } finally {
      await worker.stop();
    }
  } finally {
    await dev.stop();
    tmp.remove();
  }
}

/**
 * The policy the benchmark saves: every department and office group, and one division that nests
 * four departments (20 groups), plus two mappings. Everyone then sees their department and office
 * colleagues, technologists their whole division, HR the whole company, IT the sales side.
 */
function benchPolicy(tenant: DevTenantListing): { policy: unknown; description: string } {
  const id = (name: string) => {
    const group = tenant.groups.find((g) => g.displayName === name);
    if (!group) throw new Error(`the synthetic tenant has no group "${name}"`);
    return group.id;
  };
  const departments = tenant.groups.filter((g) => g.displayName.startsWith('Department - '));
  const offices = tenant.groups.filter((g) => g.displayName.startsWith('Office - '));
  const groups = [...departments, ...offices].map((g) => g.id).concat(id('Division - Technology'));
  const mappings = [
    { audience: id('Department - Human Resources'), visible: [id('All Employees')] },
    { audience: id('Department - IT'), visible: [id('Division - Go To Market')] },
  ];
  const description =
    `${groups.length} groups (${departments.length} departments, ${offices.length} offices, and Division - Technology, which nests 4 departments); ` +
    'mappings Department - Human Resources → All Employees and Department - IT → Division - Go To Market; default exclusions';
  return { policy: { version: 1, groups, mappings }, description };
}
