import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardDavFixture, checkVCardLines, vobjectParse, type Device } from './helpers.js';

const VDIRSYNCER = '/usr/bin/vdirsyncer';
const KHARD = '/usr/bin/khard';

/** Runs vdirsyncer without blocking this process, which serves the requests it makes. */
function vdirsyncer(config: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(VDIRSYNCER, ['--config', config, ...args], { env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // "Should vdirsyncer attempt to create it?" for the local collection: yes.
    child.stdin.end('y\ny\ny\n');
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * The real Debian client end to end: vdirsyncer (read_only) discovers the book from the server's
 * root over HTTPS with the test CA (so through /.well-known/carddav, the principal and the home
 * set), writes one .vcf per card, and follows changes made in the dev tenant.
 */
describe('CardDAV with the real clients vdirsyncer and khard (Debian)', () => {
  let f: CardDavFixture;
  let device: Device;
  let config: string;
  let local: string;

  beforeAll(async () => {
    // A missing client is a broken test machine, not a reason to skip: .ci/run installs both.
    for (const tool of [VDIRSYNCER, KHARD]) if (!fs.existsSync(tool)) throw new Error(`${tool} is not installed: run .ci/run, or apt-get install vdirsyncer khard`);
    f = await CardDavFixture.start({ https: true });
    device = f.device('marcus.lee@contoso.example');
    const dir = path.join(f.tmp.dir, 'vdirsyncer');
    local = path.join(dir, 'contacts');
    fs.mkdirSync(local, { recursive: true });
    config = path.join(dir, 'config');
    fs.writeFileSync(
      config,
      [
        '[general]',
        `status_path = "${dir}/status/"`,
        '',
        '[pair directory]',
        'a = "phone"',
        'b = "switchboard"',
        'collections = ["from b"]',
        '',
        '[storage phone]',
        'type = "filesystem"',
        `path = "${local}/"`,
        'fileext = ".vcf"',
        '',
        '[storage switchboard]',
        'type = "carddav"',
        `url = "${f.baseUrl}/"`,
        `username = "${device.username}"`,
        `password = "${device.password}"`,
        'read_only = true',
        `verify = "${f.caFile}"`,
        '',
      ].join('\n'),
    );
  });
  afterAll(() => f?.stop());

  const cards = () => {
    const book = path.join(local, 'contacts');
    return fs.existsSync(book) ? fs.readdirSync(book).filter((n) => n.endsWith('.vcf')).map((n) => fs.readFileSync(path.join(book, n), 'utf8')) : [];
  };

  it('discovers the book through /.well-known/carddav and writes one parseable .vcf per card', async () => {
    const discover = await vdirsyncer(config, ['-v', 'DEBUG', 'discover']);
    expect(discover.code, discover.output).toBe(0);
    // The server root is not a DAV resource: vdirsyncer falls back to the well-known URI.
    expect(discover.output).toContain('Trying out well-known URI');
    const run = await vdirsyncer(config, ['sync']);
    expect(run.code, run.output).toBe(0);
    const written = cards();
    expect(written).toHaveLength(3);
    written.forEach(checkVCardLines);
    expect(vobjectParse(written).map((c) => c.FN[0]).sort()).toEqual(['Diego Fernández', "Hannah O'Brien", 'Marcus Lee']);
  });

  it('khard, a contacts client on the same folder, reads the cards vdirsyncer wrote', () => {
    const dir = path.dirname(config);
    const khardConfig = path.join(dir, 'khard.conf');
    fs.writeFileSync(khardConfig, ['[addressbooks]', '[[directory]]', `path = ${path.join(local, 'contacts')}`, '', '[general]', 'editor = /bin/true', 'merge_editor = /bin/true', ''].join('\n'));
    const listed = execFileSync(KHARD, ['-c', khardConfig, 'list', '--parsable'], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
    const names = listed.trim().split('\n').map((line) => line.split('\t')[1]);
    expect(names.sort()).toEqual(['Diego Fernández', "Hannah O'Brien", 'Marcus Lee']);
    const phones = execFileSync(KHARD, ['-c', khardConfig, 'phone', '--parsable', 'Marcus'], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
    expect(phones).toContain('425.555.0110');
  });

  it('a change in the dev tenant reaches the device after a sync round', async () => {
    await f.control(`/users/${f.user('hannah.obrien@contoso.example')}`, { method: 'PATCH', body: { jobTitle: 'Head of Accounts' } });
    await f.sync();
    const run = await vdirsyncer(config, ['sync']);
    expect(run.code, run.output).toBe(0);
    const hannah = vobjectParse(cards()).find((c) => c.FN[0] === "Hannah O'Brien")!;
    expect(hannah.TITLE).toEqual(['Head of Accounts']);
  });

  it('a colleague leaving the group disappears from the device', async () => {
    await f.control(`/groups/${f.group('Sales NA')}/members/${f.user('diego.fernandez@contoso.example')}`, { method: 'DELETE' });
    await f.sync();
    const run = await vdirsyncer(config, ['sync']);
    expect(run.code, run.output).toBe(0);
    expect(vobjectParse(cards()).map((c) => c.FN[0]).sort()).toEqual(["Hannah O'Brien", 'Marcus Lee']);
  });

  it('a revoked device is refused at its very next sync', async () => {
    f.auth.revoke(device.username);
    const run = await vdirsyncer(config, ['sync']);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/401|Unauthorized/);
    expect(cards()).toHaveLength(2);
  });
});
