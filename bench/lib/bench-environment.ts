import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PublicClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { SignedInUser } from '../../src/tenant-access.js';
import { ensureDevCertificates } from '../../src/tls/dev-certificates.js';
import { trustExtraCertificateAuthority } from '../../src/tls/outbound-trust.js';
import type { DevTenantListing, DevTenantProcess } from './dev-tenant-process.js';

const TEAMS_WEB_CLIENT_ID = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

/**
 * What every benchmark against the dev tenant needs first: run from the project root, the local
 * configuration (on a fresh checkout this generates the local secrets before the dev tenant reads the
 * same files), and this process trusting the local CA.
 */
export function prepareBenchEnvironment(): { root: string; config: Config & { entra: { identifierUri: string } } } {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  process.chdir(root);
  const { config } = loadConfig();
  if (config.tls.mode !== 'dev-ca') throw new Error('The benchmark runs against the local dev tenant: TLS_MODE must be dev-ca (env/.env.local)');
  const identifierUri = config.entra.identifierUri;
  if (!identifierUri) throw new Error('TAB_DOMAIN and BOT_ID are needed for the app id URI');
  trustExtraCertificateAuthority(ensureDevCertificates(config.tls.dir, []).caPem);
  return { root, config: { ...config, entra: { ...config.entra, identifierUri } } };
}

/**
 * The same for a process a benchmark forked with `devTenantStoreEnvironment`: its configuration
 * from the environment it was given (no secrets generated: the parent did that), the local CA trusted.
 */
export function prepareWorkerEnvironment(): Config & { store: { kind: 'sqlite'; path: string } } {
  const { config } = loadConfig({ generateSecrets: false });
  if (config.tls.mode !== 'dev-ca') throw new Error('The benchmark runs against the dev tenant: TLS_MODE must be dev-ca');
  if (config.store.kind !== 'sqlite') throw new Error('The benchmark measures the SQLite store (STORE=sqlite)');
  trustExtraCertificateAuthority(fs.readFileSync(path.join(config.tls.dir, 'ca.crt'), 'utf8'));
  return config as Config & { store: { kind: 'sqlite'; path: string } };
}

/**
 * Settings for a process running the sync core against the dev tenant (the ingest worker, our
 * CardDAV server): its authority and Graph, a SQLite store at `sqlitePath`, quiet logs. The rest
 * comes from the repository's env files, as for `npm start`.
 */
export function devTenantStoreEnvironment(dev: DevTenantProcess, sqlitePath: string): Record<string, string> {
  return {
    DEV_TENANT_PORT: new URL(dev.baseUrl).port,
    AAD_APP_OAUTH_AUTHORITY_HOST: dev.baseUrl,
    GRAPH_BASE_URL: `${dev.baseUrl}/v1.0`,
    STORE: 'sqlite',
    SQLITE_PATH: sqlitePath,
    LOG_LEVEL: 'warn',
  };
}

/** A Teams SSO token for the first synthetic user who can sign in (ROPC as the Teams web client). */
export async function signInSyntheticUser(dev: DevTenantProcess, tenant: DevTenantListing, password: string, identifierUri: string): Promise<{ ssoToken: string; user: SignedInUser }> {
  const pca = new PublicClientApplication({ auth: { clientId: TEAMS_WEB_CLIENT_ID, authority: `${dev.baseUrl}/${tenant.id}`, knownAuthorities: [dev.host] } });
  const failures: string[] = [];
  // The first user usually signs in; a disabled account or shared mailbox is skipped.
  for (const candidate of tenant.users.slice(0, 10)) {
    try {
      const result = await pca.acquireTokenByUsernamePassword({ scopes: [`${identifierUri}/access_as_user`], username: candidate.userPrincipalName, password });
      if (!result) continue;
      const oid = decodeJwt(result.accessToken).oid;
      return { ssoToken: result.accessToken, user: { tenantId: tenant.id, userId: String(oid), username: candidate.userPrincipalName } };
    } catch (err) {
      failures.push(`${candidate.userPrincipalName}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new Error(`no synthetic user could sign in:\n${failures.join('\n')}`);
}
