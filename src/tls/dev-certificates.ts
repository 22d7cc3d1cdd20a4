import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/**
 * A local certificate authority and a server certificate signed by it, so that the whole product runs
 * over HTTPS on one machine (MSAL refuses http authorities, browsers want secure contexts for SSO).
 * Files live in a git-ignored folder and are made on first start; the server certificate is renewed
 * when it nears expiry or when the host names it must cover change.
 */
export interface DevCertificates {
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const CA_YEARS = 10;
const LEAF_DAYS = 365;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export function ensureDevCertificates(dir: string, hostnames: string[]): DevCertificates {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    cert: path.join(dir, 'server.crt'),
    key: path.join(dir, 'server.key'),
  };
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hostnames])].sort();

  if (!fs.existsSync(files.caCert) || !fs.existsSync(files.caKey) || expiresSoon(fs.readFileSync(files.caCert, 'utf8'))) {
    const ca = createCertificate({ subject: 'Switchboard local development CA', isCa: true, days: CA_YEARS * 365 });
    writePrivate(files.caKey, ca.keyPem);
    fs.writeFileSync(files.caCert, ca.certPem);
    fs.rmSync(files.cert, { force: true });
  }
  const caPem = fs.readFileSync(files.caCert, 'utf8');
  const caKeyPem = fs.readFileSync(files.caKey, 'utf8');

  if (!fs.existsSync(files.cert) || !fs.existsSync(files.key) || !covers(fs.readFileSync(files.cert, 'utf8'), names) || expiresSoon(fs.readFileSync(files.cert, 'utf8'))) {
    const leaf = createCertificate({ subject: 'localhost', isCa: false, days: LEAF_DAYS, names, issuer: { certPem: caPem, keyPem: caKeyPem } });
    writePrivate(files.key, leaf.keyPem);
    fs.writeFileSync(files.cert, leaf.certPem);
  }
  return { caFile: files.caCert, caPem, certPem: fs.readFileSync(files.cert, 'utf8'), keyPem: fs.readFileSync(files.key, 'utf8') };
}

function writePrivate(file: string, pem: string): void {
  fs.writeFileSync(file, pem, { mode: 0o600 });
}

/** A certificate that cannot be parsed (an older release wrote some OpenSSL 3 refuses) is reissued. */
function parse(certPem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(certPem);
  } catch {
    return undefined;
  }
}

function expiresSoon(certPem: string): boolean {
  const cert = parse(certPem);
  return !cert || new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS;
}

function covers(certPem: string, names: string[]): boolean {
  const san = parse(certPem)?.subjectAltName ?? '';
  return names.every((n) => san.includes(isIp(n) ? `IP Address:${n === '::1' ? '0:0:0:0:0:0:0:1' : n}` : `DNS:${n}`));
}

function isIp(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(':');
}

/**
 * RFC 5280 §4.1.2.2: a positive serial of at most 20 octets. forge writes the hex as DER integer
 * content as it stands, so its first octet must be 0x01–0x7f: a high bit would read as negative, and
 * a leading zero octet before one under 0x80 is non-minimal DER, which OpenSSL 3 refuses to parse.
 */
export function serialNumberHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

interface CertificateRequest {
  subject: string;
  isCa: boolean;
  days: number;
  names?: string[];
  issuer?: { certPem: string; keyPem: string };
}

function createCertificate(req: CertificateRequest): { certPem: string; keyPem: string } {
  // Node generates the key (fast, native); forge only assembles and signs the certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = serialNumberHex();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + req.days * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: req.subject }, { name: 'organizationName', value: 'Switchboard (local development)' }];
  cert.setSubject(subject);
  const issuerCert = req.issuer ? forge.pki.certificateFromPem(req.issuer.certPem) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const extensions: object[] = req.isCa
    ? [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ]
    : [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: (req.names ?? []).map((n) => (isIp(n) ? { type: 7, ip: n } : { type: 2, value: n })),
        },
        { name: 'subjectKeyIdentifier' },
      ];
  cert.setExtensions(extensions);
  const signingKey = forge.pki.privateKeyFromPem(req.issuer ? req.issuer.keyPem : keyPem) as forge.pki.rsa.PrivateKey;
  cert.sign(signingKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}
