// esbuild bundles of TypeScript entry points for Node (server, CLI, dev tenant, benchmarks): ESM,
// packages left external (resolved from node_modules at run time), source maps for stack traces.
export async function bundleNode(root, entryPoints, outdir) {
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
