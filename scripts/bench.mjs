// `npm run bench [-- NAME… --option value…]`: builds the server bundles (benchmarks start the dev tenant
// from dist/dev-tenant.js), bundles every bench/*.ts entry point and the processes in bench/processes/
// with esbuild into dist/bench/, and runs the benchmarks one after another with node: all of them, or
// those NAMEd (`npm run bench -- sync-ingest`).
// Other arguments go to every benchmark run (`npm run bench:sync -- --sizes 10000x200`).
// Each benchmark writes its own section of bench/REPORT.md. Plain JS: it runs before anything is built.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from './lib/bundle-node.mjs';
import { ensureDeps, run } from './lib/ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);

const available = fs
  .readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const args = process.argv.slice(2);
const named = [];
let passThrough = args;
const firstOption = args.findIndex((a) => a.startsWith('-'));
if (firstOption !== 0) {
  const names = firstOption === -1 ? args : args.slice(0, firstOption);
  passThrough = firstOption === -1 ? [] : args.slice(firstOption);
  named.push(...names);
}
const unknown = named.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  console.error(`No benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const selected = named.length > 0 ? named : available;

run(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--server-only'], { cwd: root });
// bench/processes/ holds the processes benchmarks start and measure (our CardDAV server): always built.
const processes = fs
  .readdirSync(path.join(root, 'bench', 'processes'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => [`processes/${f.slice(0, -3)}`, `bench/processes/${f}`]);
await bundleNode(root, Object.fromEntries([...selected.map((name) => [name, `bench/${name}.ts`]), ...processes]), 'dist/bench');

// What the report quotes as the command that produced it: the npm script and the arguments given to it.
const npmScript = process.env.npm_lifecycle_event;
const scriptArgs = (process.env.npm_lifecycle_script ?? '').split(/\s+/).filter(Boolean);
const userArgs = npmScript ? args.slice(Math.max(0, scriptArgs.length - 2)) : args;
const command = npmScript
  ? `npm run ${npmScript}${userArgs.length > 0 ? ` -- ${userArgs.join(' ')}` : ''}`
  : ['node scripts/bench.mjs', ...args].join(' ');

let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // The benchmark stops its own children (dev tenant, workers) when it gets the signal.
    current?.kill(signal);
    process.exitCode = 130;
  });
}

let failed = 0;
for (const name of selected) {
  console.log(`\n=== bench ${name} ===`);
  current = spawn(process.execPath, ['--enable-source-maps', '--expose-gc', path.join(root, 'dist', 'bench', `${name}.js`), ...passThrough], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BENCH_COMMAND: command },
  });
  const code = await new Promise((resolve) => current.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  current = undefined;
  if (code !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${code})`);
  }
  if (process.exitCode === 130) break;
}
if (failed > 0) process.exit(1);
