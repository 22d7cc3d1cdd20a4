import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDevCertificates, serialNumberHex } from '../../src/tls/dev-certificates.js';
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

  it('draws serial numbers that are positive, minimal DER integers (RFC 5280 §4.1.2.2), so OpenSSL parses every certificate', () => {
    // Found as a start-up crash: a serial of "0" + random hex began with a zero octet half of the time.
    for (let i = 0; i < 2000; i++) {
      const hex = serialNumberHex();
      expect(hex).toMatch(/^[0-9a-f]{32}$/);
      const first = parseInt(hex.slice(0, 2), 16);
      expect(first).toBeGreaterThanOrEqual(0x01);
      expect(first).toBeLessThanOrEqual(0x7f);
    }
    const certs = ensureDevCertificates(path.join(tmp.dir, 'serials'), []);
    for (const pem of [certs.caPem, certs.certPem]) expect(BigInt(`0x${new X509Certificate(pem).serialNumber}`)).toBeGreaterThan(0n);
  });

  it('reissues a CA certificate it cannot parse, and the server certificate with it', () => {
    const serials = path.join(tmp.dir, 'serials');
    const before = ensureDevCertificates(serials, []);
    fs.writeFileSync(path.join(serials, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const after = ensureDevCertificates(serials, []);
    expect(after.caPem).not.toBe(before.caPem);
    expect(new X509Certificate(after.certPem).checkIssued(new X509Certificate(after.caPem))).toBe(true);
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
