// Builds the server and CLI (esbuild bundles of src/) into dist/, and the tab (Vite) into dist/tab.
// `--server-only` skips the tab. Type checking is separate (`npm run typecheck`), as bundlers don't check.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverOnly = process.argv.includes('--server-only');

const { build } = await import('esbuild');
await build({
  absWorkingDir: root,
  entryPoints: { server: 'src/main.ts', cli: 'src/cli/index.ts', 'dev-tenant': 'src/dev-tenant/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

if (!serverOnly) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(root, 'tab', 'vite.config.ts'), logLevel: 'warn' });
}
