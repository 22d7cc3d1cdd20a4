import { fork, type ChildProcess } from 'node:child_process';
import { own } from './children.js';

/**
 * Commands between a benchmark and a process it measures (the ingest worker, our CardDAV server),
 * over Node's IPC channel: each command's arguments and answer.
 */
export type CommandMap<C> = { [K in keyof C]: { args: unknown; result: unknown } };

interface WorkerRequest {
  id: number;
  cmd: string;
  args: unknown;
}

type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** The worker's side: one handler per command, plus `exit`, which the client sends to stop it. */
export type CommandHandlers<C extends CommandMap<C>> = { [K in keyof C]: (args: C[K]['args']) => Promise<C[K]['result']> } & { exit: () => Promise<void> };

/** The parent's handle on a worker: `script ...args` forked, commands sent over IPC and answered by id. */
export class WorkerClient<C extends CommandMap<C>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    name: string,
  ) {
    child.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(`${name}: ${reply.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`${name} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  /** Forks the worker and waits until it says it is ready (`serveCommands` was called). */
  static async start<C extends CommandMap<C>>(options: { name: string; script: string; args?: string[]; env: NodeJS.ProcessEnv; execArgv?: string[] }): Promise<WorkerClient<C>> {
    const child = own(fork(options.script, options.args ?? [], { env: options.env, execArgv: ['--enable-source-maps', ...(options.execArgv ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const client = new WorkerClient<C>(child, options.name);
    await new Promise<void>((resolve, reject) => {
      client.pending.set(0, { resolve: () => resolve(), reject });
    });
    return client;
  }

  call<K extends keyof C & string>(cmd: K, args: C[K]['args']): Promise<C[K]['result']> {
    return this.send(cmd, args) as Promise<C[K]['result']>;
  }

  /** Asks the worker to finish and exit (so a CPU profile gets written); kills it if it hangs. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    void this.send('exit', {}).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  private send(cmd: string, args: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, args } satisfies WorkerRequest);
    });
  }
}

/**
 * The worker's side: answers each command with its handler's result (or the error's stack) and
 * tells the parent it is ready. After `exit` it leaves normally, so that --cpu-prof writes its
 * profile; it also leaves when the parent goes away.
 */
export function serveCommands<C extends CommandMap<C>>(handlers: CommandHandlers<C>): void {
  process.on('message', (message: WorkerRequest) => {
    void (async () => {
      let reply: WorkerReply;
      try {
        const handler = (handlers as Record<string, (args: unknown) => Promise<unknown>>)[message.cmd];
        if (!handler) throw new Error(`no command "${message.cmd}"`);
        reply = { id: message.id, ok: true, result: (await handler(message.args)) ?? {} };
      } catch (err) {
        reply = { id: message.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      }
      process.send!(reply, () => {
        if (message.cmd === 'exit') process.exit(0);
      });
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ id: 0, ok: true, result: 'ready' } satisfies WorkerReply);
}
