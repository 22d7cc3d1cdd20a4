import { Command, CommanderError } from 'commander';
import { ConfigError, type Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { version } from '../project.js';
import { openStore, type Store } from '../store/store.js';

/**
 * `switchboard`: the administrators' command line. Every subcommand prints JSON on stdout (for scripts)
 * and exits non-zero with a one-line reason on stderr when it cannot do what was asked.
 */
export function buildCli(io: { out: (s: string) => void; err: (s: string) => void } = defaultIo): Command {
  const program = new Command('switchboard')
    .description('Switchboard administration: configuration, database, tenants')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const print = (value: unknown) => io.out(JSON.stringify(value, null, 2) + '\n');

  const config = program.command('config').description('inspect configuration');
  config
    .command('check')
    .description('validate env files and environment; print the resolved settings without secrets')
    .action(() => {
      const { config: c } = loadConfig();
      print(redact(c));
    });

  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending migrations')
    .action(() => withStore((store) => store.migrate().then(print)));
  db.command('status')
    .description('list applied and pending migrations')
    .action(() => withStore((store) => store.migrationStatus().then(print)));

  const tenants = program.command('tenants').description('tenants known to this installation');
  tenants
    .command('list')
    .description('list tenants with their consent state')
    .action(() => withStore(async (store) => print(await store.tenants.list())));

  return program;
}

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const { config } = loadConfig();
  const store = openStore(config.store);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

function redact(c: Config): object {
  return { ...c, dataEncryptionKey: '[set]', store: c.store.kind === 'postgres' ? { kind: 'postgres', url: redactUrl(c.store.url) } : c.store };
}

function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const defaultIo = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) };

/** Runs the CLI and returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: string[], io = defaultIo): Promise<number> {
  try {
    await buildCli(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(`switchboard: ${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
}
