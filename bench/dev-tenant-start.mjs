// How long the dev tenant takes from process start to serving, with the sample organisation and with
// a synthetic tenant. Run after a build: `node bench/dev-tenant-start.mjs [runs]`. Prints figures;
// it asserts nothing.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function timeToBanner(args) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist', 'dev-tenant.js'), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', DEV_TENANT_PORT: String(port) },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Dev tenant:')) {
        const ms = performance.now() - started;
        child.kill('SIGTERM');
        resolve(ms);
      }
    });
    child.on('exit', (code) => code && reject(new Error(`dev tenant exited with ${code}: ${out}`)));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [label, args] of [['sample organisation', []], ['+ synthetic 10k users / 200 groups', ['--users', '10000', '--groups', '200']], ['+ synthetic 100k users / 2k groups', ['--users', '100000', '--groups', '2000']]]) {
  const times = [];
  for (let i = 0; i < (args.length ? Math.min(runs, 3) : runs); i++) times.push(await timeToBanner(args));
  console.log(`${label}: median ${Math.round(median(times))} ms (runs: ${times.map(Math.round).join(', ')})`);
}
