import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import zlib from 'node:zlib';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const appPackage = path.join(root, 'appPackage');

export const readText = (relative: string): string => fs.readFileSync(path.join(root, relative), 'utf8');
export const readJson = <T = any>(relative: string): T => JSON.parse(readText(relative)) as T;

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names of the Teams Toolkit `${{VAR}}` placeholders in a text. */
export function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!));
}

/** The environments that have a committed env file: env/.env.<name>, not the .user secrets files. */
export function environments(): string[] {
  return fs
    .readdirSync(path.join(root, 'env'))
    .map((f) => /^\.env\.([a-z0-9-]+)$/.exec(f)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/**
 * The committed env/.env.<env> values with the process environment on top, the way Teams Toolkit and
 * scripts/package-app.mjs resolve placeholders. The .user secrets file is left out on purpose: nothing a
 * fresh clone needs may live only there.
 */
export function envValues(env: string): Record<string, string | undefined> {
  const file = path.join(root, 'env', `.env.${env}`);
  const values = fs.existsSync(file) ? parseEnv(fs.readFileSync(file, 'utf8')) : {};
  return { ...values, ...process.env };
}

/** Fills placeholders (JSON-escaping the values); throws naming every variable that is unset or empty. */
export function fillJson(relative: string, values: Record<string, string | undefined>): any {
  const text = readText(relative);
  const missing = [...placeholders(text)].filter((name) => !values[name]).sort();
  if (missing.length > 0) {
    throw new Error(`${relative} needs variables with no value: ${missing.join(', ')} (append them to the env file)`);
  }
  return JSON.parse(text.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(values[name]).slice(1, -1)));
}

/** Validates against the vendored Teams manifest schema (JSON Schema draft-04); returns readable errors. */
export function manifestSchemaErrors(manifest: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(readJson('appPackage/schema/MicrosoftTeams.v1.29.schema.json'));
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

export interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** 8-bit RGBA, row by row. */
  rgba: Buffer;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * A small PNG reader for the app icons: checks the signature, reads IHDR, inflates the IDAT stream and
 * undoes every row filter (None, Sub, Up, Average, Paeth). Supports 8-bit grey, grey+alpha, RGB and RGBA
 * without interlacing, which is what icon tools produce.
 */
export function decodePng(data: Buffer): Png {
  if (!data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let offset = 8;
  let header: Buffer | undefined;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (!header) throw new Error('PNG without IHDR');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const bitDepth = header[8]!;
  const colorType = header[9]!;
  const channels = CHANNELS[colorType];
  if (bitDepth !== 8 || channels === undefined || header[12] !== 0) {
    throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${header[12]}`);
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter type ${filter} on row ${y}`);
      }
      out[i] = (line[i]! + predictor) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = pixels.subarray(p * channels, (p + 1) * channels);
    const grey = channels <= 2;
    rgba[p * 4] = s[0]!;
    rgba[p * 4 + 1] = grey ? s[0]! : s[1]!;
    rgba[p * 4 + 2] = grey ? s[0]! : s[2]!;
    rgba[p * 4 + 3] = channels === 2 ? s[1]! : channels === 4 ? s[3]! : 255;
  }
  return { width, height, bitDepth, colorType, rgba };
}
