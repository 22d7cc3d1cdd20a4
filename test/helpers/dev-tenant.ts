import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createDevTenant, type DevTenant, type DevTenantOptions } from '../../src/dev-tenant/dev-tenant.js';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from '../../src/dev-tenant/sample-organisation.js';
import { listen, type RunningServer } from '../../src/server/http-server.js';
import { ensureDevCertificates } from '../../src/tls/dev-certificates.js';
import { trustExtraCertificateAuthority } from '../../src/tls/outbound-trust.js';
import { tempDir } from './temp-dir.js';

export const TEST_APP = {
  clientId: '5b0a4d00-0000-4000-8000-000000000002',
  clientSecret: 'test-client-secret-0123456789',
  identifierUri: 'api://localhost:53000/botid-5b0a4d00-0000-4000-8000-000000000005',
  appUrl: 'https://localhost:53000',
};
export const TEST_PASSWORD = 'test-password';
export const TEAMS_WEB_CLIENT_ID = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
export { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID };

/** Group ids of the sample organisation (src/dev-tenant/sample-organisation.ts gives them fixed ids). */
export const SAMPLE_GROUPS = {
  allEmployees: 'c9000001-5eed-4000-8000-000000000001',
  executives: 'c9000002-5eed-4000-8000-000000000002',
  sales: 'c9000003-5eed-4000-8000-000000000003',
  salesEu: 'c9000004-5eed-4000-8000-000000000004',
  salesNa: 'c9000005-5eed-4000-8000-000000000005',
  engineering: 'c9000006-5eed-4000-8000-000000000006',
  it: 'c9000007-5eed-4000-8000-000000000007',
  marketing: 'c900000a-5eed-4000-8000-00000000000a',
  fabrikamStaff: 'f9000001-5eed-4000-8000-000000000001',
} as const;

export interface RunningDevTenant extends DevTenant {
  baseUrl: string;
  /** host:port, for MSAL's knownAuthorities. */
  host: string;
  authority: (tenant: string) => string;
  /** Trusts the dev CA for this process (fetch, https, MSAL) — done on start. */
  caPem: string;
  /**
   * A Graph token as Switchboard's sync holds one: delegated, for the admin of Contoso, with the sync
   * core's permissions. Minted directly, for tests of the sync core that are not about sign-in.
   */
  syncGraphToken: () => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * Starts a fresh dev tenant over HTTPS on a free port, signed by a throwaway local CA that this
 * process trusts, as `npm start` does. Each test file gets its own, so state never leaks between files.
 */
export async function startTestDevTenant(options: Partial<DevTenantOptions> & { allowDenials?: boolean } = {}): Promise<RunningDevTenant> {
  const { allowDenials = false, ...devOptions } = options;
  const tmp = tempDir('devtenant-');
  const certs = ensureDevCertificates(path.join(tmp.dir, 'tls'), []);
  trustExtraCertificateAuthority(certs.caPem);
  // The base URL must be known before listening; reserve a port by listening once on 0.
  let server: RunningServer | undefined;
  let devTenant: DevTenant | undefined;
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const baseUrl = `https://localhost:${port}`;
  devTenant = await createDevTenant({ baseUrl, switchboard: TEST_APP, password: TEST_PASSWORD, ...devOptions });
  server = await listen(devTenant.app, { host: '127.0.0.1', port, tls: certs });
  return {
    ...devTenant,
    baseUrl,
    host: `localhost:${port}`,
    authority: (tenant) => `${baseUrl}/${tenant}`,
    caPem: certs.caPem,
    syncGraphToken: () => {
      const tenant = devTenant!.registry.findTenant(CONTOSO_TENANT_ID)!;
      return devTenant!.tokens.graphAccessToken({
        tenant, user: tenant.directory.getUser('ethan.walker@contoso.example')!, client: devTenant!.registry.apps.get(TEST_APP.clientId)!,
        scopes: ['User.Read.All', 'GroupMember.Read.All'], roles: [],
      });
    },
    // Switchboard must never need more than its declared permissions: a test that met a Graph
    // refusal it did not ask for fails here, when its dev tenant stops.
    stop: async () => {
      await server!.close(100);
      tmp.remove();
      const denials = devTenant!.denials.list();
      if (!allowDenials && denials.length > 0) {
        throw new Error(`The dev Graph refused ${denials.length} request(s) this test did not expect: ${JSON.stringify(denials.slice(0, 3))}`);
      }
    },
  };
}
