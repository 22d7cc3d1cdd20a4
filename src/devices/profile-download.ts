import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The secret of a just-redeemed Apple device, kept for its single profile download.
 *
 * The page shown after redemption links to the profile with a one-time download key. The secret is
 * sealed (AES-256-GCM) under a key derived from that download key, which exists only in the page and
 * the link; the database row holds the ciphertext and a hash of the key. So the database (or anyone
 * with the server's keys) cannot recover the secret, the row is erased at the first download, and
 * housekeeping erases it after the window even if nobody downloads.
 */
export const DOWNLOAD_WINDOW_MS = 10 * 60_000;

export function sealForDownload(downloadKey: string, deviceId: string, secret: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(downloadKey), nonce);
  cipher.setAAD(Buffer.from(deviceId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

/** The secret, or undefined when the key does not open the value (wrong key, another device's row). */
export function openDownload(downloadKey: string, deviceId: string, sealed: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(downloadKey), sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(deviceId));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function keyOf(downloadKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', downloadKey, Buffer.alloc(0), 'switchboard/profile-download/aes-256-gcm/v1', 32));
}
