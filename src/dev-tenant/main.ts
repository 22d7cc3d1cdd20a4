import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../log/logger.js';
import { ensureDevCertificates } from '../tls/dev-certificates.js';
import { startDevTenant } from './start.js';

/**
 * `npm run dev-tenant`: the stand-in alone, for trying MSAL or Graph clients against it, and for
 * benchmarks with a synthetic tenant: `npm run dev-tenant -- --users 100000 --groups 2000 --seed 1`.
 */
const { values } = parseArgs({
  options: { users: { type: 'string' }, groups: { type: 'string' }, seed: { type: 'string', default: '1' } },
});
const count = (v: string | undefined, name: string): number => {
  const n = Number(v ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw new Error(`--${name} must be a whole number from 0 to 1000000`);
  return n;
};

try {
  const { config } = loadConfig();
  const logger = createLogger(config.logLevel);
  if (config.tls.mode !== 'dev-ca') throw new Error('The standalone dev tenant uses the local CA (TLS_MODE=dev-ca)');
  const certs = ensureDevCertificates(config.tls.dir, []);
  const users = count(values.users, 'users');
  const synthetic = users > 0 ? { users, groups: count(values.groups, 'groups'), seed: count(values.seed, 'seed') } : undefined;
  const { server, url } = await startDevTenant({ ...config, devTenant: { ...config.devTenant, enabled: true } }, certs, logger, synthetic ? { synthetic } : {});
  process.stdout.write(`\n  Dev tenant: ${url}/_dev/tenants\n  Authority:  ${url}/{tenant id}/v2.0\n  Graph:      ${url}/v1.0\n  CA:         ${certs.caFile}\n\n`);
  const stop = () => void server.close(2000).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ConfigError ? 78 : 1);
}
