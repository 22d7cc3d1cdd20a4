import type { Router } from 'express';
import type { BotConfig } from '../src/config/config.js';
import type { FieldCipher } from '../src/crypto/field-cipher.js';
import type { AdminRevocation } from '../src/devices/devices.js';
import type { Logger } from '../src/log/logger.js';
import { ConversationReferenceRepository } from '../src/store/conversation-reference-repository.js';
import { FeedRepository } from '../src/store/feed-repository.js';
import type { Store } from '../src/store/store.js';
import { botRoutes } from './bot-routes.js';
import { BotCommands } from './commands/bot-commands.js';
import { commandDeps, type CommandDeps } from './commands/deps.js';
import { AccessWatcher, ConversationMemory, ProactiveNotifier } from './proactive.js';
import { createBotEndpoint } from './teams-ai-app.js';

export interface Bot {
  /** Mount among the `/api` routers, first. */
  router: Router;
  notifier: ProactiveNotifier;
  watcher: AccessWatcher;
  /** For DevicesService's onRevokedByAdmin hook. */
  onRevokedByAdmin: (event: AdminRevocation) => void;
}

/** Wires the bot for a process; undefined when the configuration turns it off (the reason is logged). */
export function createBot(deps: {
  config: BotConfig;
  store: Pick<Store, 'db' | 'tenants' | 'audit'>;
  devices: CommandDeps['devices'];
  cipher: FieldCipher;
  logger: Logger;
  accessCheckIntervalMs?: number;
}): Bot | undefined {
  const { config, store, logger } = deps;
  if (config.mode === 'off') {
    logger.warn({ reason: config.reason }, 'the bot is off');
    return undefined;
  }
  if (config.mode === 'local') logger.warn('the bot runs without Bot Framework authentication (local mode, no SECRET_BOT_PASSWORD): for the Agents Playground only');
  const cmdDeps = commandDeps(store, deps.devices, deps.cipher);
  const references = new ConversationReferenceRepository(store.db);
  const memory = new ConversationMemory({ references, tenants: store.tenants, feed: new FeedRepository(store.db) });
  const endpoint = createBotEndpoint(config, { commands: new BotCommands(cmdDeps), memory, logger });
  const notifier = new ProactiveNotifier({ references, admins: cmdDeps.admins, sender: endpoint.sender, logger });
  const watcher = new AccessWatcher({ notifier, logger, ...(deps.accessCheckIntervalMs ? { intervalMs: deps.accessCheckIntervalMs } : {}) });
  return {
    router: botRoutes(endpoint.handle),
    notifier,
    watcher,
    onRevokedByAdmin: (event) => {
      notifier.deviceRevokedByAdmin(event).catch((err: unknown) => logger.warn({ err, tenantId: event.tenantId }, 'could not tell a user about a revoked device'));
    },
  };
}
