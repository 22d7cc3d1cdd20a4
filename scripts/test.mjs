// `npm test`: install what is missing, build (end-to-end tests run the built product), type-check,
// then run every test. Extra arguments go to vitest (e.g. `npm test -- test/store`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps, run } from './lib/ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
run(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root });
console.log('Type-checking…');
run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: root });
run(bin('tsc'), ['-p', 'tab/tsconfig.json'], { cwd: root });
run(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: root });
