import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device ids, device secrets and link tokens, and how they are hashed for storage.
 *
 * Formats (all lower-case RFC 4648 base32, so they survive being typed on a phone, read aloud, put in
 * a URL path or a `user:password@` URL without escaping, and carry no user information):
 * - device id (the CardDAV user name): 16 random bytes → 26 characters;
 * - device secret (the password): 20 random bytes (160 bits) → 32 characters, shown in groups of four
 *   (`abcd-efgh-…`); dashes, spaces and case are ignored when checking, so a typed password works;
 * - link token and download key: 20 random bytes → 32 characters.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export const DEVICE_ID_PATTERN = /^[a-z2-7]{26}$/;
export const TOKEN_PATTERN = /^[a-z2-7]{32}$/;
const SECRET_PATTERN = /^[a-z2-7]{32}$/;

export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function newDeviceId(): string {
  return base32(randomBytes(16));
}

/** A new device secret in its display form: 32 base32 characters in groups of four. */
export function newDeviceSecret(): string {
  return base32(randomBytes(20)).match(/.{4}/g)!.join('-');
}

export function newToken(): string {
  return base32(randomBytes(20));
}

/** The canonical form of a typed secret (what is hashed), or undefined when it cannot be one. */
export function canonicalSecret(typed: string): string | undefined {
  const canonical = typed.toLowerCase().replace(/[\s-]/g, '');
  return SECRET_PATTERN.test(canonical) ? canonical : undefined;
}

export function canonicalDeviceId(typed: string): string | undefined {
  const canonical = typed.trim().toLowerCase();
  return DEVICE_ID_PATTERN.test(canonical) ? canonical : undefined;
}

export function canonicalToken(typed: string): string | undefined {
  const canonical = typed.trim().toLowerCase();
  return TOKEN_PATTERN.test(canonical) ? canonical : undefined;
}

interface HashKey {
  id: number;
  key: Buffer;
}

export type SecretCheck = 'ok' | 'ok-rehash' | 'mismatch';

/**
 * Keyed hashes (HMAC-SHA-256) for device secrets and link tokens.
 *
 * The HMAC key is derived with HKDF-SHA-256 from the data encryption key under its own label, so no
 * new setting is needed and the key never meets the AES use of the same root key. A copy of the
 * database alone cannot test password guesses offline; with 160-bit secrets a fast hash is enough
 * (a slow one would cost CPU on every sync request).
 *
 * Rotation: the keys derived from previous data keys still verify; a device that authenticates with
 * one is re-hashed under the current key (`ok-rehash`). A device not seen before its key is dropped
 * from configuration must be enrolled again.
 */
export class SecretHasher {
  private readonly current: HashKey;
  private readonly byId: Map<number, HashKey>;

  /** `dataKeys[0]` is the current data key; the rest are previous keys still accepted. */
  constructor(dataKeys: Buffer[]) {
    if (dataKeys.length === 0) throw new Error('SecretHasher needs at least one key');
    const keys = dataKeys.map(deriveHashKey);
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  /** Hash of a device secret (display or canonical form) under the current key. */
  hashSecret(secret: string): { hash: Buffer; keyId: number } {
    const canonical = canonicalSecret(secret);
    if (!canonical) throw new Error('not a device secret');
    return { hash: mac(this.current.key, 'device-secret', canonical), keyId: this.current.id };
  }

  /**
   * Compares a presented secret with a stored hash in constant time. Malformed input and unknown key
   * ids still cost one HMAC and one comparison, so timing does not tell them apart from a wrong secret.
   */
  checkSecret(presented: string, stored: Buffer, keyId: number): SecretCheck {
    const key = this.byId.get(keyId);
    const canonical = canonicalSecret(presented);
    const candidate = mac((key ?? this.current).key, 'device-secret', canonical ?? presented);
    const sameLength = stored.length === candidate.length;
    const equal = timingSafeEqual(sameLength ? stored : candidate, candidate) && sameLength;
    if (!equal || !key || !canonical) return 'mismatch';
    return key.id === this.current.id ? 'ok' : 'ok-rehash';
  }

  /** Burns the same work as a check, for unknown devices (timing must not reveal which ids exist). */
  checkNothing(presented: string): 'mismatch' {
    const candidate = mac(this.current.key, 'device-secret', presented);
    timingSafeEqual(candidate, candidate);
    return 'mismatch';
  }

  /** Lookup hash of a link token or download key (hex); high-entropy inputs need no constant-time compare. */
  tokenHash(purpose: 'enrollment' | 'download', token: string): string {
    return mac(this.current.key, purpose, token).toString('hex');
  }
}

function mac(key: Buffer, purpose: string, value: string): Buffer {
  // The purpose is part of the message, so a hash of one kind can never stand in for another.
  return createHmac('sha256', key).update(purpose).update('\0').update(value).digest();
}

function deriveHashKey(dataKey: Buffer): HashKey {
  const key = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'switchboard/device-credentials/hmac-sha256/v1', 32));
  // Not secret-revealing: a truncated hash of the derived key, only to tell keys apart.
  const id = createHash('sha256').update('switchboard-device-hash-key-id').update(key).digest().readUInt32BE(0);
  return { id, key };
}
