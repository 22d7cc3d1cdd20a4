import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Target } from './carddav-requests.js';

export interface ClientSync {
  /** The first sync into an empty local folder: every card fetched. */
  initialMs?: number;
  /** The same sync again, nothing changed on either side. */
  noopMs?: number;
  /** .vcf files in the local folder after the initial sync. */
  cards?: number;
  failure?: string;
}

/**
 * A whole sync of one book with the real client vdirsyncer (Debian), as a user's laptop would run it:
 * the carddav storage pointed at the book itself (`collections = null`; the one-off discover is not timed),
 * read-only, into an empty filesystem folder; then the same command again with nothing changed.
 */
export async function vdirsyncerWholeSync(target: Target, dir: string, timeoutMs: number): Promise<ClientSync> {
  const local = path.join(dir, 'cards');
  fs.mkdirSync(local, { recursive: true });
  const config = path.join(dir, 'config');
  const [username, password] = target.authorization ? Buffer.from(target.authorization.replace(/^Basic /, ''), 'base64').toString().split(/:(.*)/s) : ['', ''];
  fs.writeFileSync(
    config,
    [
      '[general]',
      `status_path = "${dir}/status/"`,
      '',
      '[pair book]',
      'a = "local"',
      'b = "server"',
      'collections = null',
      '',
      '[storage local]',
      'type = "filesystem"',
      `path = "${local}/"`,
      'fileext = ".vcf"',
      '',
      '[storage server]',
      'type = "carddav"',
      `url = "${target.baseUrl}${target.book}"`,
      ...(username ? [`username = "${username}"`, `password = "${password}"`] : []),
      'read_only = true',
      '',
    ].join('\n'),
  );
  const run = async (): Promise<{ ms: number; code: number; output: string }> => {
    const started = performance.now();
    const { code, output } = await vdirsyncer(config, ['sync'], timeoutMs);
    return { ms: performance.now() - started, code, output };
  };
  // vdirsyncer wants its pair "discovered" once even for a single collection; not timed.
  const discover = await vdirsyncer(config, ['discover'], timeoutMs);
  if (discover.code !== 0) return { failure: `discover ${ended(discover, timeoutMs)}` };
  const initial = await run();
  if (initial.code !== 0) return { failure: `initial sync ${ended(initial, timeoutMs)}` };
  const cards = fs.readdirSync(local).filter((n) => n.endsWith('.vcf')).length;
  const noop = await run();
  if (noop.code !== 0) return { initialMs: initial.ms, cards, failure: `no-op sync ${ended(noop, timeoutMs)}` };
  return { initialMs: initial.ms, noopMs: noop.ms, cards };
}

/** How a vdirsyncer run that failed ended: stopped at the time limit (a server still busy), or its exit code and last words. */
function ended(run: { code: number; output: string }, timeoutMs: number): string {
  return run.code === -1 ? `stopped after ${timeoutMs / 1000} s` : `exited ${run.code}: ${run.output.split('\n').filter(Boolean).slice(-2).join(' ')}`;
}

function vdirsyncer(config: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('vdirsyncer', ['--config', config, ...args], { env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdin.end('y\ny\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? -1 : (code ?? -1), output });
    });
  });
}
