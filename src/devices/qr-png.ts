import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';

/**
 * A QR code as a small 1-bit PNG data URI, for Adaptive Cards (which accept `data:` images; a bot
 * message is limited to 100 KB besides images, and Teams renders ≤ 1024 px) and the tab.
 *
 * The `qrcode` package computes the symbol; its own PNG renderer writes 8-bit RGBA, so the pixels are
 * written here as 1-bit greyscale: a ~300 px code is then about 1 KB instead of several.
 */
export interface QrOptions {
  /** Target edge in pixels; each module is a whole number of pixels, so the result is close to it. */
  targetPx?: number;
  /** Quiet zone in modules (the standard asks for 4). */
  margin?: number;
}

export function qrPngDataUri(text: string, options: QrOptions = {}): string {
  return `data:image/png;base64,${qrPng(text, options).toString('base64')}`;
}

export function qrPng(text: string, { targetPx = 300, margin = 4 }: QrOptions = {}): Buffer {
  // M (15% recovery) keeps a ~60-character link at version 4 or so: big modules, easy to scan off a screen.
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const count = modules.size + 2 * margin;
  const scale = Math.max(1, Math.round(targetPx / count));
  const width = count * scale;
  const rowBytes = Math.ceil(width / 8);
  const raw = Buffer.alloc((rowBytes + 1) * width);
  for (let y = 0; y < width; y++) {
    const row = y * (rowBytes + 1); // first byte of each row: filter type 0 (none)
    const my = Math.floor(y / scale) - margin;
    for (let x = 0; x < width; x++) {
      const mx = Math.floor(x / scale) - margin;
      const dark = mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.get(my, mx) === 1;
      // In 1-bit greyscale, 1 is white.
      if (!dark) raw[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filtering, no interlace
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
