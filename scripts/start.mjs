// `npm start`: install what is missing, build, and run the whole product on the embedded default
// (SQLite + the local dev tenant). Signals are passed to the server so Ctrl-C shuts it down cleanly.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps, run } from './lib/ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
console.log('Building…');
run(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root });

const server = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist', 'server.js')], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
