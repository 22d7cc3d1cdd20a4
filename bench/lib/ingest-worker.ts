import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { loadPolicy, savePolicy } from '../../src/core/tenant-policy.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import type { DatabaseSchema } from '../../src/store/schema.js';
import { SyncRepository } from '../../src/store/sync-repository.js';
import { SqlCapture, queryPlan } from './sql-plans.js';
import { expectSucceeded, openSyncProcess } from './sync-process.js';
import { median, percentile, sample } from './stats.js';
import { MemorySampler, photoChecks, TrafficRecorder } from './traffic.js';
import type { IngestCommands, LatencyFigures } from './ingest-protocol.js';
import { serveCommands, type CommandHandlers } from './worker-client.js';

const COUNTED_TABLES = ['directory_users', 'directory_groups', 'group_members', 'audiences', 'audience_contacts', 'user_audiences', 'contact_changes'] as const;

/**
 * The measured side of the ingest benchmark, in its own process so that its peak RSS is its own:
 * the sync core exactly as production wires it (`createSyncCore` on a fresh SQLite store, settings
 * from the repository's env files plus the overrides the parent passes in the environment), driven
 * by commands over IPC. Nothing in src/ is replaced; the Graph transport is only observed.
 */
export async function runIngestWorker(): Promise<void> {
  const { config, store, core, access, firstRoundRequested } = await openSyncProcess();
  const dbFile = config.store.path;
  const traffic = new TrafficRecorder(config.entra.graphBaseUrl);
  const memory = new MemorySampler();
  const deps = { db: store.db, cipher: core.cipher };
  let tenantId: string | undefined;
  const tenant = () => {
    if (!tenantId) throw new Error('send "grant" first');
    return tenantId;
  };

  const handlers: CommandHandlers<IngestCommands> = {
    grant: async ({ ssoToken, user }) => {
      tenantId = user.tenantId;
      const graphToken = await access.graphToken(ssoToken, user);
      return { graphToken, firstRoundRequested: firstRoundRequested() };
    },

    round: async () => {
      const id = tenant();
      traffic.start();
      memory.start();
      const started = performance.now();
      const outcome = await core.runner.run(id, 'manual');
      const wallMs = Math.round(performance.now() - started);
      const seen = traffic.stop();
      const mem = memory.stop(photoChecks(seen)?.startMs);
      expectSucceeded(outcome);
      const run = (await new SyncRepository(store.db, core.cipher).recentRuns(id, 1))[0]!;
      return {
        wallMs,
        mode: run.mode,
        run: {
          status: run.status, graphRequests: run.graph_requests, throttled: run.throttled, usersChanged: run.users_changed,
          groupsChanged: run.groups_changed, contactChanges: run.contact_changes, error: run.error,
        },
        traffic: seen,
        memory: mem,
      };
    },

    policy: async ({ policy }) => {
      const id = tenant();
      const { version } = await loadPolicy(deps, id);
      memory.start();
      const started = performance.now();
      const saved = await savePolicy(deps, id, policy, version, { id: 'bench', name: 'Benchmark' });
      const wallMs = Math.round(performance.now() - started);
      return { wallMs, ...saved.visibility, memory: memory.stop() };
    },

    feedSeq: async () => ({ seq: await new FeedRepository(store.db).tenantSeq(tenant()) }),

    queries: async ({ samples, sinceSeq, seed }) => {
      const id = tenant();
      const feed = new FeedRepository(store.db);
      const users = sample([...(await feed.userAudiences(id)).keys()].sort(), samples, seed);
      const contacts = { ms: [] as number[], rows: [] as number[] };
      const since = { ms: [] as number[], rows: [] as number[] };
      for (const userId of users) {
        let started = performance.now();
        let audience = await feed.audienceOf(id, userId);
        const visible = audience === undefined ? new Map<string, number>() : await feed.audienceContacts(audience);
        contacts.ms.push(performance.now() - started);
        contacts.rows.push(visible.size);
        started = performance.now();
        audience = await feed.audienceOf(id, userId);
        const changes = audience === undefined ? [] : await feed.changesSince(audience, sinceSeq);
        since.ms.push(performance.now() - started);
        since.rows.push(changes.length);
      }
      // The same two questions once more through a recording handle, for their query plans.
      const capture = new SqlCapture(store.db as unknown as Kysely<unknown>);
      const traced = new FeedRepository(store.db.withPlugin(capture));
      const audience = users[0] === undefined ? undefined : await traced.audienceOf(id, users[0]);
      if (audience !== undefined) {
        await traced.audienceContacts(audience);
        await traced.changesSince(audience, sinceSeq);
      }
      const plans = [];
      for (const statement of capture.statements.values()) plans.push({ sql: statement.sql, plan: await queryPlan(store.db as unknown as Kysely<unknown>, statement) });
      return { contactsOf: latency(contacts), changesSince: { ...latency(since), sinceSeq }, plans };
    },

    store: async () => {
      const rows: Record<string, number> = {};
      for (const table of COUNTED_TABLES) rows[table] = await countRows(store.db, table);
      const megabytes = (file: string) => (fs.existsSync(file) ? Math.round(fs.statSync(file).size / (1024 * 1024)) : 0);
      const { rows: version } = await sql<{ v: string }>`select sqlite_version() as v`.execute(store.db);
      return { rows, sqliteVersion: version[0]?.v ?? 'unknown', databaseMB: megabytes(dbFile), walMB: megabytes(`${dbFile}-wal`) };
    },

    exit: async () => {
      await store.close();
    },
  };

  serveCommands(handlers);
}

function latency(measured: { ms: number[]; rows: number[] }): LatencyFigures {
  const ms = (n: number) => Math.round(n * 100) / 100;
  return {
    samples: measured.ms.length,
    medianMs: ms(median(measured.ms)),
    p95Ms: ms(percentile(measured.ms, 95)),
    maxMs: ms(Math.max(0, ...measured.ms)),
    medianRows: median(measured.rows),
    maxRows: Math.max(0, ...measured.rows),
  };
}

async function countRows(db: Kysely<DatabaseSchema>, table: (typeof COUNTED_TABLES)[number]): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
