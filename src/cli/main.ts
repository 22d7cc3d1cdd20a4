import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError } from 'commander';
import { PolicyError } from '../core/policy/policy.js';
import { loadPolicy, savePolicy } from '../core/tenant-policy.js';
import { dataCipher } from '../crypto/data-cipher.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { createLogger } from '../log/logger.js';
import { registerDeviceCommands } from '../devices/device-cli.js';
import { resealAll } from '../store/reseal.js';
import { SyncRepository } from '../store/sync-repository.js';
import { createSyncCore } from '../sync-core.js';
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
  tenants
    .command('delete')
    .description('remove a tenant and every row it owns: directory copy, tokens, devices, policy, audit log')
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--yes', 'confirm: this cannot be undone')
    .action((opts: { tenant: string; yes?: boolean }) =>
      withStore(async (store) => {
        if (!opts.yes) throw new Error('refusing to delete without --yes: this removes everything Switchboard holds for the tenant');
        if (!(await store.tenants.delete(opts.tenant))) throw new Error(`no tenant ${opts.tenant}`);
        print({ deleted: opts.tenant });
      }),
    );

  const policy = program.command('policy').description("a tenant's group-filter policy");
  policy
    .command('show')
    .description('print the policy and its version')
    .requiredOption('--tenant <id>', 'tenant id')
    .action((opts: { tenant: string }) => withCore(async ({ store, cipher }) => print(await loadPolicy({ db: store.db, cipher }, opts.tenant))));
  policy
    .command('set')
    .description('replace the policy from a JSON file (validated against the synced directory, audited)')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--file <path>', 'policy JSON')
    .action((opts: { tenant: string; file: string }) =>
      withCore(async ({ store, cipher }) => {
        const input: unknown = JSON.parse(fs.readFileSync(opts.file, 'utf8'));
        const deps = { db: store.db, cipher };
        const { version } = await loadPolicy(deps, opts.tenant);
        const actor = { id: `cli:${os.userInfo().username}`, name: 'switchboard CLI' };
        const result = await savePolicy(deps, opts.tenant, input, version, actor);
        print({ version: result.version, changes: result.changes, visibility: result.visibility });
      }),
    );

  const data = program.command('data').description('data at rest');
  data
    .command('reseal')
    .description('after a key rotation: re-encrypt every value still sealed with a previous key (SECRET_DATA_ENCRYPTION_KEYS_PREVIOUS) under the current one')
    .action(() => withCore(async ({ store, cipher }) => print(await resealAll(store.db, cipher))));

  const sync = program.command('sync').description('directory sync');
  sync
    .command('run')
    .description("run a sync round now, on the tenant's stored grant")
    .requiredOption('--tenant <id>', 'tenant id')
    .action((opts: { tenant: string }) =>
      withCore(async ({ store, config }) => {
        const core = createSyncCore(config, store, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
        const outcome = await core.runner.run(opts.tenant, 'manual');
        print(outcome);
        if (outcome.status !== 'succeeded') throw new Error(outcome.status === 'busy' ? 'another instance is syncing this tenant right now' : (outcome.error ?? 'sync failed'));
      }),
    );
  sync
    .command('status')
    .description('recent sync runs of a tenant')
    .requiredOption('--tenant <id>', 'tenant id')
    .action((opts: { tenant: string }) => withCore(async ({ store, cipher }) => print(await new SyncRepository(store.db, cipher).recentRuns(opts.tenant))));

  registerDeviceCommands(program, withCore, print);
  return program;
}

/** The store plus the data key, for commands that read or write sealed data. */
async function withCore(fn: (core: { store: Store; cipher: FieldCipher; config: Config }) => Promise<void>): Promise<void> {
  const { config } = loadConfig();
  const store = openStore(config.store);
  try {
    await fn({ store, cipher: dataCipher(config), config });
  } finally {
    await store.close();
  }
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
  return { ...c, dataEncryptionKey: '[set]', previousDataEncryptionKeys: c.previousDataEncryptionKeys.map(() => '[set]'), entra: { ...c.entra, clientSecret: c.entra.clientSecret ? '[set]' : undefined }, bot: c.bot.mode === 'bot-framework' ? { ...c.bot, password: '[set]' } : c.bot, store: c.store.kind === 'postgres' ? { kind: 'postgres', url: redactUrl(c.store.url) } : c.store };
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
    io.err(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof PolicyError) for (const i of err.issues) io.err(`  ${i.path || '(policy)'}: ${i.message}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
}
