// Draws the two Teams app icons into appPackage/: color.png (192×192, indigo rounded square with a white
// "switchboard" glyph) and outline.png (32×32, the same glyph in white on transparent). The PNGs are
// committed; run `node scripts/make-icons.mjs` after changing the design here to regenerate them.
// Plain Node with node:zlib, so no image library is needed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The glyph, in a unit square: three nodes, each wired to the other two.
const NODES = [
  [0.2, 0.5],
  [0.8, 0.22],
  [0.8, 0.78],
];
const WIRES = [
  [0, 1],
  [0, 2],
  [1, 2],
];
const TOP = [0x5c, 0x6a, 0xf0]; // background gradient, top → bottom
const BOTTOM = [0x38, 0x3f, 0xc0];

/** Distance from point p to the segment a–b. */
function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Whether a point (unit-square coordinates) lies on the glyph. */
function onGlyph(x, y, nodeRadius, wireHalfWidth) {
  if (NODES.some(([nx, ny]) => Math.hypot(x - nx, y - ny) <= nodeRadius)) return true;
  return WIRES.some(([i, j]) => segmentDistance(x, y, NODES[i], NODES[j]) <= wireHalfWidth);
}

function inRoundedSquare(x, y, size, radius) {
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
}

/**
 * Renders RGBA pixels. `coverage(x, y)` returns [background, glyph] hits for a sample point in pixel
 * coordinates; `samples` per axis gives anti-aliasing (1 = hard edges).
 */
function render(size, samples, coverage, backgroundAt) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const [b, g] = coverage(px + (sx + 0.5) / samples, py + (sy + 0.5) / samples);
          bg += b;
          fg += g;
        }
      }
      const n = samples * samples;
      const base = backgroundAt(py / size);
      const glyph = fg / Math.max(bg, 1); // share of the opaque area that is white
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(base[c] + (255 - base[c]) * glyph);
      rgba[i + 3] = Math.round((255 * bg) / n);
    }
  }
  return rgba;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes 8-bit RGBA pixels as a PNG (filter type 0 on every row). */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, no filter method, no interlace
  const rows = [];
  for (let y = 0; y < size; y++) rows.push(Buffer.from([0]), rgba.subarray(y * size * 4, (y + 1) * size * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const gradient = (t) => TOP.map((top, c) => top + (BOTTOM[c] - top) * t);

// Colour icon: the glyph sits in the middle 56% of a full-bleed rounded square.
const COLOR = 192;
const color = render(COLOR, 4, (x, y) => {
  const bg = inRoundedSquare(x, y, COLOR, COLOR * 0.22) ? 1 : 0;
  const u = (x / COLOR - 0.22) / 0.56;
  const v = (y / COLOR - 0.22) / 0.56;
  return [bg, bg && onGlyph(u, v, 0.15, 0.055) ? 1 : 0];
}, gradient);

// Outline icon: hard edges, so every pixel is either opaque white or fully transparent, as Teams requires.
const OUTLINE = 32;
const outline = render(OUTLINE, 1, (x, y) => {
  const hit = onGlyph((x - 3) / 26, (y - 3) / 26, 0.17, 0.06) ? 1 : 0;
  return [hit, hit];
}, () => [255, 255, 255]);

for (const [name, size, pixels] of [
  ['color.png', COLOR, color],
  ['outline.png', OUTLINE, outline],
]) {
  const file = path.join(root, 'appPackage', name);
  fs.writeFileSync(file, encodePng(size, pixels));
  console.log(`wrote ${path.relative(root, file)} (${size}×${size})`);
}
