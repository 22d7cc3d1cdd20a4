import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for directory fields and tokens: AES-256-GCM with a fresh 96-bit nonce per
 * value. The associated data binds each ciphertext to its tenant and purpose, so a value copied into
 * another tenant's row, or into another column, fails to decrypt instead of leaking.
 *
 * Layout: version (1 byte) | key id (4 bytes) | nonce (12) | tag (16) | ciphertext.
 * Rotation: encrypt with the first key; decrypt with whichever key the id names. Re-encrypting old
 * rows under the new key is a store migration, not this module's job.
 */
const NONCE_BYTES = 12;

export class FieldCipher {
  private readonly keys: Map<number, Buffer>;
  private readonly currentId: number;
  /** Random bytes drawn in bulk and handed out 12 at a time: one CSPRNG call per 1,024 nonces, not per value. */
  private nonces = Buffer.alloc(0);
  private nonceOffset = 0;

  /** `keys[0]` encrypts; all of them decrypt. Each key is 32 bytes. */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('FieldCipher needs at least one key');
    this.keys = new Map();
    for (const key of keys) {
      if (key.length !== 32) throw new Error('FieldCipher keys must be 32 bytes (AES-256)');
      this.keys.set(keyId(key), key);
    }
    this.currentId = keyId(keys[0]!);
  }

  private nextNonce(): Buffer {
    if (this.nonceOffset + NONCE_BYTES > this.nonces.length) {
      // A fresh buffer each time: nonces handed out earlier stay views of the old one, never reused.
      this.nonces = randomBytes(NONCE_BYTES * 1024);
      this.nonceOffset = 0;
    }
    const nonce = this.nonces.subarray(this.nonceOffset, this.nonceOffset + NONCE_BYTES);
    this.nonceOffset += NONCE_BYTES;
    return nonce;
  }

  encrypt(plaintext: Buffer | string, context: string): Buffer {
    const nonce = this.nextNonce();
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, nonce);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const header = Buffer.alloc(5);
    header[0] = 1;
    header.writeUInt32BE(this.currentId, 1);
    return Buffer.concat([header, nonce, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer, context: string): Buffer {
    if (sealed.length < 33 || sealed[0] !== 1) throw new Error('Not a sealed value (unknown format)');
    const key = this.keys.get(sealed.readUInt32BE(1));
    if (!key) throw new Error('Sealed with a key that is no longer configured');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(5, 17));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(17, 33));
    return Buffer.concat([decipher.update(sealed.subarray(33)), decipher.final()]);
  }

  /** Whether a value was sealed under an older key and should be re-sealed under the current one. */
  isStale(sealed: Buffer): boolean {
    return sealed.length < 5 || sealed.readUInt32BE(1) !== this.currentId;
  }

  /** Opens a value and seals it again under the current key (the same context). */
  reseal(sealed: Buffer, context: string): Buffer {
    return this.encrypt(this.decrypt(sealed, context), context);
  }

  encryptJson(value: unknown, context: string): Buffer {
    return this.encrypt(JSON.stringify(value), context);
  }

  decryptJson<T>(sealed: Buffer, context: string): T {
    return JSON.parse(this.decrypt(sealed, context).toString('utf8')) as T;
  }
}

/** A key's id is derived from the key (not secret-revealing: a truncated hash), so config needs no ids. */
function keyId(key: Buffer): number {
  return createHash('sha256').update('switchboard-key-id').update(key).digest().readUInt32BE(0);
}
