import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project.js';
import { spawnProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const KEY = Buffer.alloc(32, 1).toString('base64');

/** Runs the `switchboard` bin as `npx switchboard` would, in a folder of its own. */
async function switchboard(cwd: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  const p = spawnProcess(process.execPath, [path.join(projectRoot, 'bin', 'switchboard.mjs'), ...args], {
    cwd,
    env: { PATH: process.env.PATH, TEAMSFX_ENV: 'test', SECRET_DATA_ENCRYPTION_KEY: KEY },
  });
  const { code } = await p.exited;
  return { code, output: p.output() };
}

describe('switchboard CLI', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('db status lists pending migrations on a new database; db migrate applies them', async () => {
    const before = await switchboard(tmp.dir, 'db', 'status');
    expect(before.code).toBe(0);
    const status = JSON.parse(before.output);
    expect(status.applied).toEqual([]);
    expect(status.pending[0]).toBe('0001-tenants-and-audit');
    const migrated = await switchboard(tmp.dir, 'db', 'migrate');
    expect(JSON.parse(migrated.output)).toEqual({ applied: status.pending, pending: [] });
  });

  it('tenants list prints JSON', async () => {
    const res = await switchboard(tmp.dir, 'tenants', 'list');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.output)).toEqual([]);
  });

  it('config check prints resolved settings with secrets hidden', async () => {
    const res = await switchboard(tmp.dir, 'config', 'check');
    const printed = JSON.parse(res.output);
    expect(printed).toMatchObject({ env: 'test', port: 53000, dataEncryptionKey: '[set]' });
    expect(res.output).not.toContain(KEY);
  });

  it('tenants delete needs --yes, removes the tenant, and says so when there is none', async () => {
    const store = (await import('../../src/store/store.js')).openStore({ kind: 'sqlite', path: path.join(tmp.dir, '.data', 'switchboard.db') });
    await store.tenants.upsert('11111111-2222-3333-4444-555555555555', 'Doomed');
    await store.close();
    const refused = await switchboard(tmp.dir, 'tenants', 'delete', '--tenant', '11111111-2222-3333-4444-555555555555');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('refusing to delete without --yes');
    const deleted = await switchboard(tmp.dir, 'tenants', 'delete', '--tenant', '11111111-2222-3333-4444-555555555555', '--yes');
    expect(JSON.parse(deleted.output)).toEqual({ deleted: '11111111-2222-3333-4444-555555555555' });
    expect(JSON.parse((await switchboard(tmp.dir, 'tenants', 'list')).output)).toEqual([]);
    expect((await switchboard(tmp.dir, 'tenants', 'delete', '--tenant', '11111111-2222-3333-4444-555555555555', '--yes')).output).toContain('no tenant');
  });

  it('policy show prints the default policy (nobody receives anything) and policy set reports every problem', async () => {
    const shown = JSON.parse((await switchboard(tmp.dir, 'policy', 'show', '--tenant', 'any')).output);
    expect(shown).toMatchObject({ version: 0, policy: { groups: [], exclude: { disabledAccounts: true } } });
    const file = path.join(tmp.dir, 'bad-policy.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, groups: ['not-a-guid'], hiddenFields: ['displayName'] }));
    const bad = await switchboard(tmp.dir, 'policy', 'set', '--tenant', 'any', '--file', file);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/groups\[0\]: .*not a group id/);
    expect(bad.output).toMatch(/hiddenFields\[0\]/);
  });

  it('exits non-zero with the reason on a bad setting and on an unknown command', async () => {
    const bad = spawnProcess(process.execPath, [path.join(projectRoot, 'bin', 'switchboard.mjs'), 'db', 'status'], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, TEAMSFX_ENV: 'test', SECRET_DATA_ENCRYPTION_KEY: KEY, STORE: 'postgres' },
    });
    expect((await bad.exited).code).toBe(78);
    expect(bad.output()).toContain('DATABASE_URL: is required when STORE=postgres');
    const unknown = await switchboard(tmp.dir, 'frobnicate');
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toMatch(/unknown command 'frobnicate'/);
  });
});
