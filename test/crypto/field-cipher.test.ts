import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldCipher } from '../../src/crypto/field-cipher.js';

describe('FieldCipher (AES-256-GCM at rest)', () => {
  const key = randomBytes(32);
  const cipher = new FieldCipher([key]);

  it('round-trips text and JSON, and never stores the plaintext', () => {
    const sealed = cipher.encrypt('Amelia Hart +1 425 555 0100', 'tenant-a:user');
    expect(sealed.includes(Buffer.from('Amelia'))).toBe(false);
    expect(cipher.decrypt(sealed, 'tenant-a:user').toString()).toBe('Amelia Hart +1 425 555 0100');
    expect(cipher.decryptJson(cipher.encryptJson({ n: 'Zoë ✓' }, 'c'), 'c')).toEqual({ n: 'Zoë ✓' });
  });

  it('uses a fresh nonce: the same value seals differently each time', () => {
    expect(cipher.encrypt('x', 'c').equals(cipher.encrypt('x', 'c'))).toBe(false);
  });

  it('never repeats a nonce, across the refills of its pool of random bytes', () => {
    const own = new FieldCipher([randomBytes(32)]);
    const sealed = Array.from({ length: 3000 }, (_, i) => own.encrypt(String(i), 'c'));
    // Layout: version (1) | key id (4) | nonce (12) | …
    expect(new Set(sealed.map((b) => b.subarray(5, 17).toString('hex'))).size).toBe(3000);
    sealed.forEach((b, i) => expect(own.decrypt(b, 'c').toString()).toBe(String(i)));
  });

  it('refuses a value moved to another tenant or purpose (associated data)', () => {
    const sealed = cipher.encrypt('secret', 'tenant-a:user');
    expect(() => cipher.decrypt(sealed, 'tenant-b:user')).toThrow();
  });

  it('refuses a tampered value', () => {
    const sealed = cipher.encrypt('secret', 'c');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => cipher.decrypt(sealed, 'c')).toThrow();
  });

  it('rotates: a new first key encrypts, the old one still decrypts; a dropped key is reported', () => {
    const old = cipher.encrypt('before', 'c');
    const rotated = new FieldCipher([randomBytes(32), key]);
    expect(rotated.decrypt(old, 'c').toString()).toBe('before');
    const fresh = rotated.encrypt('after', 'c');
    expect(() => cipher.decrypt(fresh, 'c')).toThrow(/no longer configured/);
  });

  it('rejects keys of the wrong size and values of an unknown format', () => {
    expect(() => new FieldCipher([randomBytes(16)])).toThrow(/32 bytes/);
    expect(() => cipher.decrypt(Buffer.from('plain text, not sealed at all'), 'c')).toThrow(/unknown format/);
  });
});
