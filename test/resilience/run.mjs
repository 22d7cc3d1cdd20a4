// `npm run test:resilience [-- --soak] [-- --no-build] [vitest arguments]`: builds the server (the
// crash, instance and load tests run dist/server.js), then runs the resilience suite with its own
// Vitest configuration, which rewrites docs/reliability.md at the end.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const soak = args.includes('--soak');
const build = !args.includes('--no-build');
const rest = args.filter((a) => a !== '--soak' && a !== '--no-build');
const env = { ...process.env, ...(soak ? { RESILIENCE_SOAK: '1' } : {}) };

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (build) run(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--server-only']);
run(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', '--config', path.join(root, 'test', 'resilience', 'vitest.config.ts'), ...rest]);
