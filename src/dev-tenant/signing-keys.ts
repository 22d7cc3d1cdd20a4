import { exportJWK, generateKeyPair, type JWK, type CryptoKey } from 'jose';
import { randomBytes } from 'node:crypto';

export interface PublishedKey extends JWK {
  kid: string;
  kty: string;
  use: 'sig';
  n: string;
  e: string;
}

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  jwk: PublishedKey;
}

/**
 * RS256 signing keys, shared by every tenant as Entra's are. Rollover as Entra does it: a new key is
 * published and used for signing, the old one stays published so tokens it signed still validate.
 */
export class SigningKeys {
  private keys: KeyPair[] = [];

  static async create(): Promise<SigningKeys> {
    const keys = new SigningKeys();
    await keys.rotate();
    return keys;
  }

  /** Adds a new signing key; keeps the previous `keep - 1` keys published. */
  async rotate(keep = 2): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const kid = randomBytes(20).toString('base64url');
    const jwk = (await exportJWK(publicKey)) as PublishedKey;
    const published: PublishedKey = { kty: jwk.kty, use: 'sig', kid, n: jwk.n, e: jwk.e };
    this.keys = [{ kid, privateKey, jwk: published }, ...this.keys].slice(0, keep);
    return kid;
  }

  get current(): { kid: string; privateKey: CryptoKey } {
    return this.keys[0]!;
  }

  /** The JWKS document (`/discovery/v2.0/keys`). */
  jwks(issuerTemplate: string): { keys: (PublishedKey & { issuer: string })[] } {
    return { keys: this.keys.map((k) => ({ ...k.jwk, issuer: issuerTemplate })) };
  }

  publicJwks(): { keys: PublishedKey[] } {
    return { keys: this.keys.map((k) => k.jwk) };
  }
}
