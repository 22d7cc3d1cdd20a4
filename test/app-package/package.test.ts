import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { appPackage, decodePng, manifestSchemaErrors, placeholders, readText, root } from './helpers.js';

const tmp = tempDir('switchboard-app-package-');
afterAll(() => tmp.remove());

/** Runs `npm run package`'s script; `env` entries set to undefined are removed from the environment. */
function packageApp(args: string[], env: Record<string, string | undefined> = {}) {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'package-app.mjs'), ...args], {
    cwd: root,
    env: childEnv as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
}

describe('npm run package', () => {
  it('builds appPackage.local.zip with exactly the manifest and the two icons', async () => {
    const out = path.join(tmp.dir, 'first');
    const run = packageApp(['--env', 'local', '--out', out]);
    expect(run.status, run.stderr).toBe(0);

    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(out, 'appPackage.local.zip')));
    const files = Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name);
    expect(files.sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifestSchemaErrors(manifest)).toEqual([]);
    expect(JSON.stringify(manifest)).not.toContain('${{');

    for (const [name, size] of [['color.png', 192], ['outline.png', 32]] as const) {
      const bytes = await zip.file(name)!.async('nodebuffer');
      expect(bytes.equals(fs.readFileSync(path.join(appPackage, name))), name).toBe(true);
      const png = decodePng(bytes);
      expect([png.width, png.height], name).toEqual([size, size]);
    }
  });

  it('produces byte-identical zips from identical inputs', () => {
    const a = path.join(tmp.dir, 'a');
    const b = path.join(tmp.dir, 'b');
    expect(packageApp(['--env', 'local', '--out', a]).status).toBe(0);
    expect(packageApp(['--env', 'local', '--out', b]).status).toBe(0);
    expect(fs.readFileSync(path.join(a, 'appPackage.local.zip')).equals(fs.readFileSync(path.join(b, 'appPackage.local.zip')))).toBe(true);
  });

  it('names every undefined variable and writes nothing', () => {
    const needed = [...placeholders(readText('appPackage/manifest.json'))].sort();
    const out = path.join(tmp.dir, 'missing');
    const unset = Object.fromEntries(needed.map((name) => [name, undefined]));
    const run = packageApp(['--env', 'no-such-env', '--out', out], unset);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not set for environment "no-such-env"');
    for (const name of needed) expect(run.stderr).toContain(name);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses a manifest that the schema rejects', () => {
    const out = path.join(tmp.dir, 'invalid');
    const run = packageApp(['--env', 'local', '--out', out], { BOT_ID: 'not-a-guid' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('/bots/0/botId');
    expect(fs.existsSync(out)).toBe(false);
  });
});
