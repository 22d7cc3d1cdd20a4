import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, own, stopChild } from './children.js';

/** A reference CardDAV server from Debian, serving the benchmark's cards on loopback. */
export interface ReferenceServer {
  name: 'Radicale' | 'Xandikos';
  version: string;
  command: string;
  baseUrl: string;
  book: string;
  authorization: string | undefined;
  stop(): Promise<void>;
}

export interface Card {
  /** File name in the book, e.g. `abc.vcf`. */
  name: string;
  text: string;
}

function version(bin: string): string {
  const run = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`.trim().split('\n').at(-1)!.replace(/^.*?\s(?=\d)/, '');
}

async function waitUntilUp(url: string, init: RequestInit, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, init);
      await res.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not come up in ${timeoutMs} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function spawnServer(bin: string, args: string[]): { child: ReturnType<typeof spawn>; output: () => string } {
  let out = '';
  const child = own(spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const keep = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-16_384));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

/**
 * Radicale (Debian `radicale`) with the command line of issue 9, the cards written into its
 * filesystem storage: `collection-root/bench/contacts/` with `.Radicale.props` marking an address book.
 */
export async function startRadicale(dir: string, cards: Card[]): Promise<ReferenceServer> {
  const book = path.join(dir, 'collection-root', 'bench', 'contacts');
  fs.mkdirSync(book, { recursive: true });
  fs.writeFileSync(path.join(book, '.Radicale.props'), JSON.stringify({ tag: 'VADDRESSBOOK', 'D:displayname': 'Contacts' }));
  for (const card of cards) fs.writeFileSync(path.join(book, card.name), card.text);
  const port = await freePort();
  const args = ['--config', '', '--server-hosts', `127.0.0.1:${port}`, '--storage-filesystem-folder', dir, '--auth-type', 'none', '--rights-type', 'owner_only', '--web-type', 'none'];
  const { child, output } = spawnServer('radicale', args);
  const baseUrl = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from('bench:bench').toString('base64')}`;
  await waitUntilUp(`${baseUrl}/`, { method: 'OPTIONS' }, 30_000, output);
  return {
    name: 'Radicale',
    version: version('radicale'),
    command: `radicale ${args.map((a) => (a === '' ? '""' : a)).join(' ')}`.replace(dir, 'DIR').replace(String(port), 'PORT'),
    baseUrl,
    book: '/bench/contacts/',
    authorization,
    stop: () => stopChild(child),
  };
}

/**
 * Xandikos (Debian `xandikos`) with the command line of issue 9: started once with `--defaults` to
 * create its layout, stopped, the cards committed into the address book's git store
 * (`user/contacts/addressbook`), then started again to serve them.
 */
export async function startXandikos(dir: string, cards: Card[]): Promise<ReferenceServer> {
  const port = await freePort();
  const args = ['-d', dir, '--defaults', '-l', '127.0.0.1', '-p', String(port)];
  const baseUrl = `http://127.0.0.1:${port}`;
  const book = '/user/contacts/addressbook/';
  {
    const { child, output } = spawnServer('xandikos', args);
    await waitUntilUp(`${baseUrl}/`, { method: 'OPTIONS' }, 30_000, output);
    await stopChild(child);
  }
  const repo = path.join(dir, 'user', 'contacts', 'addressbook');
  if (!fs.existsSync(path.join(repo, '.git'))) throw new Error(`xandikos --defaults made no git store at ${repo}`);
  for (const card of cards) fs.writeFileSync(path.join(repo, card.name), card.text);
  const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@localhost', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@localhost' };
  for (const gitArgs of [['add', '-A', '.'], ['commit', '-q', '-m', 'benchmark cards']]) {
    const run = spawnSync('git', ['-C', repo, ...gitArgs], { env: gitEnv, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${gitArgs[0]} in the Xandikos store failed: ${run.stderr}`);
  }
  const { child, output } = spawnServer('xandikos', args);
  await waitUntilUp(`${baseUrl}/`, { method: 'OPTIONS' }, 30_000, output);
  return {
    name: 'Xandikos',
    version: version('xandikos'),
    command: `xandikos ${args.join(' ')}`.replace(dir, 'DIR').replace(String(port), 'PORT'),
    baseUrl,
    book,
    authorization: undefined,
    stop: () => stopChild(child),
  };
}
