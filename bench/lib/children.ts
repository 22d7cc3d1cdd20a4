import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Child processes and temporary folders a benchmark owns, released however it ends: normal exit,
 * an error, or Ctrl-C. Only the children registered here are ever signalled.
 */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function own(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

function releaseAll(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}

/** Call once at start: kills owned children and removes temp folders on exit and on SIGINT/SIGTERM. */
export function releaseOnExit(): void {
  process.on('exit', releaseAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark's child processes\n`);
      process.exit(130);
    });
  }
}

/** A TCP port that was free a moment ago (the OS picks it; we release it for the child to bind). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Collects a child's stdout and stderr (the last 64 KB) and resolves when they match `pattern`;
 * rejects, with the output, when the child exits first or time runs out.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-65_536);
      const match = output.match(pattern);
      if (match) done(() => resolve(match));
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(() => reject(new Error(`process exited (${signal ?? code}) before printing ${pattern}:\n${output}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}:\n${output}`))), timeoutMs);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining the pipes so that a chatty child never blocks on a full buffer.
      child.stdout?.resume();
      child.stderr?.resume();
      settle();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Asks a child to stop with `signal`, then kills it if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
