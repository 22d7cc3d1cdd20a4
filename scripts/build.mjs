// Builds the server and CLI (esbuild bundles of src/) into dist/, and the tab (Vite) into dist/tab.
// `--server-only` skips the tab. Type checking is separate (`npm run typecheck`), as bundlers don't check.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from './lib/bundle-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverOnly = process.argv.includes('--server-only');

await bundleNode(root, { server: 'src/main.ts', cli: 'src/cli/index.ts', 'dev-tenant': 'src/dev-tenant/main.ts' }, 'dist');

if (!serverOnly) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(root, 'tab', 'vite.config.ts'), logLevel: 'warn' });
}
