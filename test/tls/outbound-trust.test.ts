import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevCertificates } from '../../src/tls/dev-certificates.js';
import { trustExtraCertificateAuthority } from '../../src/tls/outbound-trust.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('trustExtraCertificateAuthority', () => {
  const tmp = tempDir();
  let server: https.Server;
  let url: string;

  beforeAll(async () => {
    const certs = ensureDevCertificates(path.join(tmp.dir, 'tls'), []);
    server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (_req, res) => res.end('trusted'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    // Before: neither client accepts the local CA.
    await expect(fetch(url)).rejects.toThrow();
    trustExtraCertificateAuthority(certs.caPem);
  });
  afterAll(() => {
    server.close();
    tmp.remove();
  });

  it('makes the global fetch (Graph SDK, jose) trust the CA', async () => {
    expect(await (await fetch(url)).text()).toBe('trusted');
  });

  it('makes the https module (msal-node) trust the CA', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(url, (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve(data));
        })
        .on('error', reject);
    });
    expect(body).toBe('trusted');
  });

  it('still trusts the public roots', () => {
    expect((https.globalAgent.options.ca as string[]).length).toBeGreaterThan(100);
  });
});
