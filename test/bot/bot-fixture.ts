import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TestAdapter, type Activity } from 'botbuilder';
import { AccessWatcher, ConversationMemory, ProactiveNotifier, type ProactiveSender } from '../../bot/proactive.js';
import { BotCommands } from '../../bot/commands/bot-commands.js';
import { commandDeps, type CommandDeps } from '../../bot/commands/deps.js';
import { createTeamsApp } from '../../bot/teams-ai-app.js';
import type { OutgoingMessage } from '../../bot/cards/render.js';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import { createDevices, type DevicesModule } from '../../src/devices/create-devices.js';
import { createLogger } from '../../src/log/logger.js';
import { ConversationReferenceRepository, type ConversationRef } from '../../src/store/conversation-reference-repository.js';
import { DirectoryRepository } from '../../src/store/directory-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { SyncRepository } from '../../src/store/sync-repository.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Tenants and users of the turn tests: ids shaped like Entra's (GUIDs), values made up. */
export const T = {
  contoso: '8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33',
  fabrikam: '3d2e1f0a-7b6c-4d5e-8a9b-0c1d2e3f4a5b',
  unknown: '0badc0de-0000-4000-8000-000000000000',
};
export const U = {
  grace: 'c000000b-5eed-4000-8000-00000000000b',
  liam: 'c000000c-5eed-4000-8000-00000000000c',
  /** In Contoso's directory but in none of the policy's groups. */
  ava: 'c0000010-5eed-4000-8000-000000000010',
  nora: 'f0000001-5eed-4000-8000-000000000001',
};
export const G = { sales: 'c9000003-5eed-4000-8000-000000000003', engineering: 'c9000006-5eed-4000-8000-000000000006' };
export const PUBLIC_URL = 'https://switchboard.test:8443';
/** The fixture's clock: enrollment expiry and "last synced" are computed from it. */
export const NOW = Date.UTC(2025, 5, 2, 9, 30, 0);

/** Proactive messages, captured instead of sent. */
export class RecordingSender implements ProactiveSender {
  readonly sent: { reference: ConversationRef; message: OutgoingMessage }[] = [];
  async send(reference: ConversationRef, message: OutgoingMessage): Promise<void> {
    this.sent.push({ reference, message });
  }
}

/**
 * The bot as main.ts wires it (commands, conversation memory, teams-ai Application), on a fresh
 * SQLite store holding a small Contoso: an audience of two users seeing Sales and Engineering (three
 * contacts), a user without access, a sync round, a policy change by a named administrator; and
 * Fabrikam, known but without consent. Driven by botbuilder's TestAdapter.
 */
export class BotFixture {
  readonly tmp = tempDir('bot-');
  readonly cipher = new FieldCipher([randomBytes(32)]);
  readonly logger = createLogger('silent');
  readonly sender = new RecordingSender();
  store!: Store;
  devices!: DevicesModule;
  deps!: CommandDeps;
  references!: ConversationReferenceRepository;
  notifier!: ProactiveNotifier;
  adapter!: TestAdapter;
  audienceId!: number;
  now = NOW;

  static async start(): Promise<BotFixture> {
    const f = new BotFixture();
    f.store = openStore({ kind: 'sqlite', path: path.join(f.tmp.dir, 'bot.db') });
    await f.store.migrate();
    await f.seed();
    f.devices = createDevices({
      store: f.store,
      config: { publicUrl: PUBLIC_URL, dataEncryptionKey: randomBytes(32), previousDataEncryptionKeys: [] },
      now: () => f.now,
      onRevokedByAdmin: (event) => void f.notifier.deviceRevokedByAdmin(event),
    });
    f.deps = commandDeps(f.store, f.devices.service, f.cipher);
    f.references = new ConversationReferenceRepository(f.store.db);
    const memory = new ConversationMemory({ references: f.references, tenants: f.store.tenants, feed: new FeedRepository(f.store.db) });
    f.notifier = new ProactiveNotifier({ references: f.references, admins: f.deps.admins, sender: f.sender, logger: f.logger, now: () => new Date(f.now) });
    const app = createTeamsApp({ commands: new BotCommands(f.deps), memory, logger: f.logger, now: () => new Date(f.now) });
    f.adapter = new TestAdapter(async (context) => {
      await app.run(context);
    });
    return f;
  }

  watcher(): AccessWatcher {
    return new AccessWatcher({ notifier: this.notifier, logger: this.logger });
  }

  private async seed(): Promise<void> {
    const { store, cipher } = this;
    await store.tenants.upsert(T.contoso, 'Contoso', NOW - 86_400_000);
    await store.tenants.setConsentState(T.contoso, 'granted');
    await store.tenants.upsert(T.fabrikam, 'Fabrikam');
    await store.tenants.setConsentState(T.fabrikam, 'missing');

    const directory = new DirectoryRepository(store.db, cipher);
    const group = (id: string, displayName: string) => ({ id, data: { displayName, description: null, mail: null, groupTypes: [] }, securityEnabled: true });
    await directory.upsertGroups(T.contoso, [group(G.sales, 'Sales'), group(G.engineering, 'Engineering')], NOW);

    const feed = new FeedRepository(store.db);
    this.audienceId = await feed.createAudience(T.contoso, 'sales+eng', [G.sales, G.engineering]);
    await feed.applyChanges(T.contoso, this.audienceId, [U.grace, U.liam, 'c0000004-5eed-4000-8000-000000000004'].map((contactId, i) => ({ seq: i + 1, contactId, op: 'upsert' as const })));
    await feed.setUserAudiences(T.contoso, [[U.grace, this.audienceId], [U.liam, this.audienceId]], []);

    const runs = new SyncRepository(store.db, cipher);
    const run = await runs.startRun(T.contoso, 'schedule', 'full', NOW - 600_000);
    await runs.finishRun(run, { status: 'succeeded', graphRequests: 4, throttled: 0, usersChanged: 30, groupsChanged: 10, contactChanges: 3 }, NOW - 540_000);

    await store.audit.append({ tenantId: T.contoso, actor: { id: 'ethan', name: 'Ethan Walker' }, action: 'policy.update', target: 'policy', before: {}, after: {} });
  }

  async stop(): Promise<void> {
    await this.store.close();
    this.tmp.remove();
  }

  activity(user: string, tenant: string, extra: Partial<Activity> = {}, conversationType = 'personal'): Partial<Activity> {
    return teamsActivity(user, tenant, extra, conversationType);
  }

  /** Sends an activity and returns what the bot sent during the turn (the queue is emptied). */
  async turn(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    await this.adapter.processActivity(activity);
    return this.adapter.activeQueue.splice(0);
  }

  say(text: string, user = U.grace, tenant = T.contoso): Promise<Partial<Activity>[]> {
    return this.turn(this.activity(user, tenant, { type: 'message', text }));
  }
}

/** An activity as Teams sends it in a personal chat: validated user and tenant ids, msteams channel. */
export function teamsActivity(user: string, tenant: string, extra: Partial<Activity> = {}, conversationType = 'personal'): Partial<Activity> {
  return {
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/teams/',
    from: { id: `29:${user}`, name: 'Someone', aadObjectId: user },
    recipient: { id: '28:5b0a4d00-0000-4000-8000-000000000005', name: 'Switchboard' },
    conversation: { id: `a:${user}`, conversationType, tenantId: tenant, isGroup: conversationType !== 'personal', name: '' },
    channelData: { tenant: { id: tenant } },
    locale: 'en-GB',
    ...extra,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The Adaptive Card of a bot message (asserting there is exactly one). */
export function cardOf(activity: Partial<Activity> | undefined): Json {
  const attachments = activity?.attachments ?? [];
  if (attachments.length !== 1 || attachments[0]!.contentType !== 'application/vnd.microsoft.card.adaptive') {
    throw new Error(`expected one Adaptive Card, got ${JSON.stringify(activity)}`);
  }
  return attachments[0]!.content;
}

/** Every element of a card (body, nested containers, columns, action sets) and every action, flat. */
export function walk(node: Json): Json[] {
  const out: Json[] = [];
  const visit = (n: Json) => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (n === null || typeof n !== 'object') return;
    if (typeof n.type === 'string') out.push(n);
    for (const key of ['body', 'items', 'columns', 'actions', 'card']) if (key in n) visit(n[key]);
  };
  visit(node);
  return out;
}

/** All TextBlock and FactSet text of a card, joined: what a reader sees. */
export function cardText(card: Json): string {
  return walk(card)
    .flatMap((e: Json) => (e.type === 'TextBlock' ? [e.text] : e.type === 'FactSet' ? e.facts.map((f: Json) => `${f.title}: ${f.value}`) : []))
    .join('\n');
}
