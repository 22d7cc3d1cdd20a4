import { randomBytes } from 'node:crypto';
import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { base32, canonicalDeviceId, canonicalSecret, DEVICE_ID_PATTERN, newDeviceId, newDeviceSecret, newToken, SecretHasher, TOKEN_PATTERN } from '../../src/devices/credentials.js';
import { FailureLimiter } from '../../src/devices/failure-limiter.js';
import { addressBucket } from '../../src/devices/device-authenticator.js';

// Spy on the constant-time comparison to prove every check goes through it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('device ids, secrets and tokens', () => {
  it('base32 follows RFC 4648 (lower case, no padding)', () => {
    expect(base32(Buffer.from('foobar'))).toBe('mzxw6ytboi');
    expect(base32(Buffer.from('f'))).toBe('my');
    expect(base32(Buffer.alloc(0))).toBe('');
  });

  it('a device id is 128 random bits: 26 base32 characters, all different', () => {
    const ids = new Set(Array.from({ length: 2000 }, newDeviceId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(DEVICE_ID_PATTERN);
  });

  it('a device secret is 160 random bits, shown as eight groups of four base32 characters', () => {
    const secrets = Array.from({ length: 2000 }, newDeviceSecret);
    expect(new Set(secrets).size).toBe(2000);
    for (const s of secrets) expect(s).toMatch(/^([a-z2-7]{4}-){7}[a-z2-7]{4}$/);
    // 32 characters × 5 bits = 160 bits ≥ 128; every symbol of the alphabet turns up in every position.
    const canonical = secrets.map((s) => canonicalSecret(s)!);
    for (let pos = 0; pos < 31; pos++) expect(new Set(canonical.map((s) => s[pos])).size).toBe(32);
    // The last character carries the final 5 of 160 bits: also uniform.
    expect(new Set(canonical.map((s) => s[31])).size).toBe(32);
  });

  it('link tokens are 160 bits', () => {
    expect(newToken()).toMatch(TOKEN_PATTERN);
  });

  it('typed secrets are accepted without dashes, with spaces or in upper case; anything else is not a secret', () => {
    const secret = newDeviceSecret();
    const canonical = secret.replace(/-/g, '');
    expect(canonicalSecret(secret)).toBe(canonical);
    expect(canonicalSecret(canonical.toUpperCase())).toBe(canonical);
    expect(canonicalSecret(secret.replace(/-/g, ' '))).toBe(canonical);
    expect(canonicalSecret(canonical.slice(1))).toBeUndefined();
    expect(canonicalSecret(`${canonical.slice(1)}1`)).toBeUndefined();
    expect(canonicalDeviceId(' ABCDEFGHIJKLMNOPQRSTUVWXYZ ')).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(canonicalDeviceId('../etc/passwd')).toBeUndefined();
  });
});

describe('SecretHasher', () => {
  const key = randomBytes(32);
  const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('stores a 32-byte HMAC that does not contain the secret, and checks it in constant time', () => {
    const hasher = new SecretHasher([key]);
    const secret = newDeviceSecret();
    const { hash, keyId } = hasher.hashSecret(secret);
    expect(hash).toHaveLength(32);
    expect(hash.toString('latin1')).not.toContain(canonicalSecret(secret));
    expect(hasher.checkSecret(secret, hash, keyId)).toBe('ok');
    expect(hasher.checkSecret(secret.toUpperCase().replace(/-/g, ''), hash, keyId)).toBe('ok');
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a wrong secret', () => newDeviceSecret()],
    ['a malformed secret', () => 'hunter2'],
    ['an empty secret', () => ''],
  ])('refuses %s through the same constant-time comparison', (_name, presented) => {
    const hasher = new SecretHasher([key]);
    const { hash, keyId } = hasher.hashSecret(newDeviceSecret());
    expect(hasher.checkSecret(presented(), hash, keyId)).toBe('mismatch');
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('refuses a stored hash of the wrong length or an unknown key id, still comparing once', () => {
    const hasher = new SecretHasher([key]);
    const secret = newDeviceSecret();
    const { hash, keyId } = hasher.hashSecret(secret);
    expect(hasher.checkSecret(secret, hash.subarray(0, 16), keyId)).toBe('mismatch');
    expect(hasher.checkSecret(secret, hash, keyId + 1)).toBe('mismatch');
    expect(hasher.checkNothing(secret)).toBe('mismatch');
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it('derives a key of its own: the same secret hashes differently under another data key', () => {
    const secret = newDeviceSecret();
    expect(new SecretHasher([key]).hashSecret(secret).hash.equals(new SecretHasher([randomBytes(32)]).hashSecret(secret).hash)).toBe(false);
  });

  it('after a data-key rotation, hashes made under the previous key verify and ask to be re-hashed', () => {
    const oldKey = randomBytes(32);
    const secret = newDeviceSecret();
    const before = new SecretHasher([oldKey]).hashSecret(secret);
    const rotated = new SecretHasher([randomBytes(32), oldKey]);
    expect(rotated.checkSecret(secret, before.hash, before.keyId)).toBe('ok-rehash');
    const after = rotated.hashSecret(secret);
    expect(after.keyId).not.toBe(before.keyId);
    expect(rotated.checkSecret(secret, after.hash, after.keyId)).toBe('ok');
    // Once the old key is dropped from configuration, a device still on it must enrol again.
    expect(new SecretHasher([randomBytes(32)]).checkSecret(secret, before.hash, before.keyId)).toBe('mismatch');
  });

  it('keeps token hashes of different purposes apart', () => {
    const hasher = new SecretHasher([key]);
    const token = newToken();
    expect(hasher.tokenHash('enrollment', token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hasher.tokenHash('enrollment', token)).not.toBe(hasher.tokenHash('download', token));
  });
});

describe('FailureLimiter', () => {
  const limits = { limit: 10, windowMs: 300_000, blockMs: 300_000, maxKeys: 100 };

  it('blocks a key at its tenth failure in five minutes, for five minutes', () => {
    let now = 0;
    const limiter = new FailureLimiter(limits, () => now);
    for (let i = 1; i <= 9; i++) {
      expect(limiter.fail('k')).toBe(false);
      now += 1_000;
    }
    expect(limiter.isBlocked('k')).toBe(false);
    expect(limiter.fail('k')).toBe(true);
    expect(limiter.isBlocked('k')).toBe(true);
    expect(limiter.isBlocked('other')).toBe(false);
    now += 299_999;
    expect(limiter.isBlocked('k')).toBe(true);
    now += 1;
    expect(limiter.isBlocked('k')).toBe(false);
  });

  it('lets a slow trickle of failures through (the bucket refills at limit per window)', () => {
    let now = 0;
    const limiter = new FailureLimiter(limits, () => now);
    for (let i = 0; i < 100; i++) {
      expect(limiter.fail('k')).toBe(false);
      now += 31_000; // slower than one per 30 s
    }
  });

  it('holds at most maxKeys records, forgetting the least recently failed first', () => {
    const limiter = new FailureLimiter({ ...limits, maxKeys: 3 }, () => 0);
    for (const k of ['a', 'b', 'c', 'a', 'd']) limiter.fail(k);
    expect(limiter.size).toBe(3);
    // 'b' was the least recently failed: gone, so its next failure starts afresh.
    for (let i = 0; i < 8; i++) limiter.fail('a');
    expect(limiter.isBlocked('a')).toBe(true);
    for (let i = 0; i < 10_000; i++) limiter.fail(`flood-${i}`);
    expect(limiter.size).toBe(3);
  });

  it('reset forgets a key', () => {
    const limiter = new FailureLimiter(limits, () => 0);
    for (let i = 0; i < 10; i++) limiter.fail('k');
    limiter.reset('k');
    expect(limiter.isBlocked('k')).toBe(false);
  });
});

describe('addressBucket', () => {
  it('counts IPv4 per address and IPv6 per /64', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
  });
});
