import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDevCertificates } from '../../src/tls/dev-certificates.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('local development certificates', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());
  const dir = path.join(tmp.dir, 'tls');

  it('creates a CA and a server certificate for localhost signed by it, keys readable only by the owner', () => {
    const certs = ensureDevCertificates(dir, ['switchboard.test']);
    const ca = new X509Certificate(certs.caPem);
    const leaf = new X509Certificate(certs.certPem);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:localhost');
    expect(leaf.subjectAltName).toContain('DNS:switchboard.test');
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(fs.statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'server.key')).mode & 0o777).toBe(0o600);
  });

  it('reuses existing files, and reissues only the server certificate when host names change', () => {
    const first = ensureDevCertificates(dir, ['switchboard.test']);
    const again = ensureDevCertificates(dir, ['switchboard.test']);
    expect(again.certPem).toBe(first.certPem);
    const other = ensureDevCertificates(dir, ['other.test']);
    expect(other.caPem).toBe(first.caPem);
    expect(other.certPem).not.toBe(first.certPem);
    expect(new X509Certificate(other.certPem).subjectAltName).toContain('DNS:other.test');
  });

  it('serves HTTPS that a client trusting only the CA accepts, and a client without it refuses', async () => {
    const certs = ensureDevCertificates(dir, []);
    const server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      const trusted = await fetch(url, { dispatcher: new Agent({ connect: { ca: certs.caPem } }) });
      expect(await trusted.text()).toBe('hello');
      await expect(fetch(url, { dispatcher: new Agent() })).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});
