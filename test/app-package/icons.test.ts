import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { appPackage, decodePng } from './helpers.js';

const icon = (name: string) => decodePng(fs.readFileSync(path.join(appPackage, name)));

describe('app icons', () => {
  it('color.png is a 192×192 full-colour PNG', () => {
    const png = icon('color.png');
    expect([png.width, png.height]).toEqual([192, 192]);
    // The centre is opaque and not plain white or black: there is a real design on it.
    const colours = new Set<string>();
    let opaque = 0;
    for (let i = 0; i < png.rgba.length; i += 4) {
      if (png.rgba[i + 3] === 255) opaque++;
      colours.add(png.rgba.subarray(i, i + 3).toString('hex'));
    }
    expect(opaque).toBeGreaterThan(192 * 192 * 0.9);
    expect(colours.size).toBeGreaterThan(16);
  });

  it('outline.png is 32×32, only fully white or fully transparent pixels', () => {
    const png = icon('outline.png');
    expect([png.width, png.height]).toEqual([32, 32]);
    const bad: string[] = [];
    let white = 0;
    for (let p = 0; p < 32 * 32; p++) {
      const [r, g, b, a] = png.rgba.subarray(p * 4, p * 4 + 4);
      if (a === 0) continue;
      if (a === 255 && r === 255 && g === 255 && b === 255) white++;
      else bad.push(`(${p % 32},${Math.floor(p / 32)}) rgba(${r},${g},${b},${a})`);
    }
    expect(bad).toEqual([]);
    expect(white).toBeGreaterThan(50); // a glyph, not an empty square
    expect(white).toBeLessThan(32 * 32 * 0.6); // and not a filled one
  });

  it('the PNG reader undoes every row filter', () => {
    // 2×2 RGBA image, one row with filter 4 (Paeth) after one with filter 1 (Sub), built by hand.
    const rows = [
      [1, 10, 20, 30, 255, 5, 5, 5, 0], // Sub: second pixel = first + delta
      [4, 1, 1, 1, 0, 2, 2, 2, 0], // Paeth
    ];
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(2, 0);
    ihdr.writeUInt32BE(2, 4);
    ihdr.set([8, 6, 0, 0, 0], 8);
    const chunk = (type: string, body: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      return Buffer.concat([len, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]);
    };
    const data = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', zlib.deflateSync(Buffer.from(rows.flat()))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const png = decodePng(data);
    expect([...png.rgba]).toEqual([10, 20, 30, 255, 15, 25, 35, 255, 11, 21, 31, 255, 17, 27, 37, 255]);
  });
});
