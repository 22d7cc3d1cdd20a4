// `npm run dev-tenant [-- --users N --groups N --seed N]`: the local Entra ID + Graph stand-in alone.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps, run } from './lib/ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
run(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--server-only'], { cwd: root });
const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist', 'dev-tenant.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 1));
