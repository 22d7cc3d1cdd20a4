// `npm run package [-- --env <name>] [-- --out <folder>]`: builds the Teams app package for one
// environment, offline. Fills the Teams Toolkit `${{VAR}}` placeholders in appPackage/manifest.json from
// env/.env.<env> and env/.env.<env>.user (the process environment wins, as in Teams Toolkit), validates
// the result against the vendored manifest schema, and writes appPackage/build/appPackage.<env>.zip with
// exactly manifest.json and the two icons, plus the filled manifest.<env>.json beside it for inspection.
// The environment is --env, else TEAMSFX_ENV, else "local".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, parseEnv } from 'node:util';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const appPackage = path.join(root, 'appPackage');
const schemaFile = path.join(appPackage, 'schema', 'MicrosoftTeams.v1.29.schema.json');
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
// A fixed timestamp keeps the zip byte-identical for identical inputs.
const ZIP_DATE = new Date('2025-01-01T00:00:00Z');

function fail(message) {
  console.error(`package-app: ${message}`);
  process.exit(1);
}

/** @returns {Record<string, string | undefined>} */
function readEnvironment(env) {
  /** @type {Record<string, string | undefined>} */
  const values = {};
  for (const file of [`.env.${env}`, `.env.${env}.user`]) {
    const full = path.join(root, 'env', file);
    if (fs.existsSync(full)) Object.assign(values, parseEnv(fs.readFileSync(full, 'utf8')));
  }
  return { ...values, ...process.env };
}

/**
 * Replaces every placeholder; values are JSON-escaped since they land inside JSON strings. Empty
 * values count as missing: Teams Toolkit leaves those unresolved too.
 * @returns {{ text: string, missing: string[] }}
 */
function fill(template, values) {
  const missing = new Set();
  const text = template.replace(PLACEHOLDER, (whole, name) => {
    const value = values[name];
    if (value === undefined || value === '') {
      missing.add(name);
      return whole;
    }
    return JSON.stringify(value).slice(1, -1);
  });
  return { text, missing: [...missing].sort() };
}

function validate(manifest) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const check = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
  if (check(manifest)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** @type {{ env?: string, out?: string }} */
let args = {};
try {
  args = parseArgs({ options: { env: { type: 'string' }, out: { type: 'string' } } }).values;
} catch (error) {
  fail(`${error instanceof Error ? error.message : error}. Usage: node scripts/package-app.mjs [--env <name>] [--out <folder>]`);
}
const env = args.env ?? process.env.TEAMSFX_ENV ?? 'local';
if (!/^[a-z0-9-]+$/.test(env)) fail(`environment name "${env}" must be lower-case letters, digits and dashes`);
const outDir = path.resolve(args.out ?? path.join(appPackage, 'build'));

const { text, missing } = fill(fs.readFileSync(path.join(appPackage, 'manifest.json'), 'utf8'), readEnvironment(env));
if (missing.length > 0) {
  fail(
    `appPackage/manifest.json needs ${missing.length === 1 ? 'a variable' : 'variables'} that ${missing.length === 1 ? 'is' : 'are'} not set for environment "${env}": ` +
      `${missing.join(', ')}. Set ${missing.length === 1 ? 'it' : 'them'} in env/.env.${env} (or env/.env.${env}.user, or the process environment).`,
  );
}

const manifest = JSON.parse(text);
const errors = validate(manifest);
if (errors.length > 0) fail(`the filled manifest does not match the 1.29 schema:\n  ${errors.join('\n  ')}`);

const icons = [manifest.icons.color, manifest.icons.outline];
for (const icon of icons) {
  if (!fs.existsSync(path.join(appPackage, icon))) fail(`the manifest names icon "${icon}", which is not in appPackage/ (run node scripts/make-icons.mjs)`);
}

const zip = new JSZip();
const filled = JSON.stringify(manifest, null, 2) + '\n';
zip.file('manifest.json', filled, { date: ZIP_DATE });
for (const icon of icons) zip.file(icon, fs.readFileSync(path.join(appPackage, icon)), { date: ZIP_DATE });
const archive = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });

fs.mkdirSync(outDir, { recursive: true });
const zipFile = path.join(outDir, `appPackage.${env}.zip`);
fs.writeFileSync(zipFile, archive);
fs.writeFileSync(path.join(outDir, `manifest.${env}.json`), filled);
console.log(`wrote ${path.relative(process.cwd(), zipFile) || zipFile} (manifest.json, ${icons.join(', ')})`);
