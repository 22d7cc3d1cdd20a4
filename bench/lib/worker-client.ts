import { fork, type ChildProcess } from 'node:child_process';
import { own } from './children.js';
import type { WorkerCommand, WorkerCommands, WorkerReply, WorkerRequest } from './worker-protocol.js';

/**
 * The parent's handle on the ingest worker: `script --worker` forked with the given environment,
 * commands sent over IPC one at a time and answered in order.
 */
export class WorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(`worker: ${reply.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`the ingest worker exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  /** Forks the worker and waits until its store is open and migrated. */
  static async start(options: { script: string; env: NodeJS.ProcessEnv; execArgv?: string[] }): Promise<WorkerClient> {
    const child = own(fork(options.script, ['--worker'], { env: options.env, execArgv: ['--enable-source-maps', ...(options.execArgv ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const client = new WorkerClient(child);
    await new Promise<void>((resolve, reject) => {
      client.pending.set(0, { resolve: () => resolve(), reject });
    });
    return client;
  }

  call<K extends WorkerCommand>(cmd: K, args: WorkerCommands[K]['args']): Promise<WorkerCommands[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args } satisfies WorkerRequest<K>);
    });
  }

  /** Asks the worker to close its store and exit (so a CPU profile gets written); kills it if it hangs. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    void this.call('exit', {}).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
