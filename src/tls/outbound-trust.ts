import https from 'node:https';
import tls from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';

/**
 * Makes this process's outbound HTTPS calls trust an extra CA besides the system roots: both the
 * `https` module (msal-node) and `fetch` (the Graph SDK, jose's JWKS). Node 20 has no
 * tls.setDefaultCACertificates and reads NODE_EXTRA_CA_CERTS only at launch, so we set both agents.
 */
export function trustExtraCertificateAuthority(caPem: string): void {
  const ca = [...tls.rootCertificates, caPem];
  https.globalAgent.options.ca = ca;
  setGlobalDispatcher(new Agent({ connect: { ca } }));
}
