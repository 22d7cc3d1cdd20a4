import type { AdminRevocation } from '../src/devices/devices.js';
import type { Logger } from '../src/log/logger.js';
import type { ConversationRef, ConversationReferenceRepository } from '../src/store/conversation-reference-repository.js';
import type { FeedRepository } from '../src/store/feed-repository.js';
import type { TenantRepository } from '../src/store/tenant-repository.js';
import { render, type OutgoingMessage } from './cards/render.js';
import { callerOf, type ActivityIdentity } from './commands/caller.js';
import type { Reply } from './commands/replies.js';
import { whoToAsk, type WhoToAskDeps } from './commands/who-to-ask.js';

/** Sends a message into a stored conversation: the wiring implements it on the bot SDK. */
export interface ProactiveSender {
  send(reference: ConversationRef, message: OutgoingMessage): Promise<void>;
}

type References = Pick<ConversationReferenceRepository, 'save' | 'get' | 'delete' | 'accessChanges' | 'markAccess'>;

/**
 * Remembers where each user is reached: their personal chat with the bot, recorded on every turn of
 * a validated caller whose tenant Switchboard knows (the stored row belongs to the tenant and goes
 * with it). Group chats and channels are never stored: the bot only writes to users privately.
 */
export class ConversationMemory {
  constructor(private readonly deps: { references: References; tenants: Pick<TenantRepository, 'get'>; feed: Pick<FeedRepository, 'audienceOf'> }) {}

  async remember(identity: ActivityIdentity, reference: ConversationRef): Promise<void> {
    const who = callerOf(identity);
    if (!who.ok || !who.personal) return;
    const { tenantId, userId } = who.caller;
    if (!(await this.deps.tenants.get(tenantId))) return;
    const hasAccess = (await this.deps.feed.audienceOf(tenantId, userId)) !== undefined;
    await this.deps.references.save(tenantId, userId, reference, hasAccess);
  }

  /** The user removed the bot: the conversation no longer exists for it. */
  async forget(identity: ActivityIdentity): Promise<void> {
    const who = callerOf(identity);
    if (who.ok) await this.deps.references.delete(who.caller.tenantId, who.caller.userId);
  }
}

/**
 * Tells users, in their personal chat, what changed for them without their doing: an administrator
 * revoked their devices, or they gained or lost access to company contacts. Users who never talked
 * to the bot have no stored conversation and are not messaged.
 */
export class ProactiveNotifier {
  constructor(private readonly deps: { references: References; admins: WhoToAskDeps; sender: ProactiveSender; logger: Logger; now?: () => Date }) {}

  /** For DevicesService's onRevokedByAdmin hook; true when the user was told. */
  async deviceRevokedByAdmin(event: AdminRevocation): Promise<boolean> {
    const reference = await this.deps.references.get(event.tenantId, event.userId);
    if (!reference) return false;
    await this.send(reference, { kind: 'device-revoked-by-admin', deviceNames: event.deviceNames });
    return true;
  }

  /**
   * Finds users whose access differs from what they were last told and tells each once: the
   * recorded state moves first (compare-and-set), so of several instances only one sends.
   * Returns how many were told.
   */
  async announceAccessChanges(): Promise<number> {
    let told = 0;
    for (const change of await this.deps.references.accessChanges()) {
      if (!(await this.deps.references.markAccess(change.tenantId, change.userId, change.hadAccess, change.hasAccess))) continue;
      const askWhom = change.hasAccess ? [] : await whoToAsk(this.deps.admins, change.tenantId);
      try {
        await this.send(change.reference, { kind: 'access-changed', hasAccess: change.hasAccess, askWhom });
        told++;
      } catch (err) {
        // Not retried: the state already moved, and a user who removed the bot cannot be reached.
        this.deps.logger.warn({ err, tenantId: change.tenantId }, 'could not tell a user their access changed');
      }
    }
    return told;
  }

  private send(reference: ConversationRef, reply: Reply): Promise<void> {
    return this.deps.sender.send(reference, render(reply, this.deps.now?.() ?? new Date()));
  }
}

/**
 * Runs the access check every `intervalMs` (a minute by default): cheap, one indexed join over the
 * bot's users, and soon after a sync round or a policy change has moved someone in or out.
 */
export class AccessWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: { notifier: Pick<ProactiveNotifier, 'announceAccessChanges'>; logger: Logger; intervalMs?: number }) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One check now (rounds never overlap). */
  tick(): Promise<void> {
    this.running ??= this.deps.notifier
      .announceAccessChanges()
      .then((told) => {
        if (told > 0) this.deps.logger.info({ told }, 'told users their access changed');
      })
      .catch((err: unknown) => this.deps.logger.error({ err }, 'access check failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
