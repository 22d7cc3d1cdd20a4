import { tenantProblem } from './access.js';
import { callerOf, type ActivityIdentity, type BotCaller } from './caller.js';
import { connectDevice } from './connect.js';
import type { CommandDeps } from './deps.js';
import { listDevices, revokeDevice } from './devices.js';
import { parseIntent } from './intents.js';
import type { Reply } from './replies.js';
import { status } from './status.js';
import { VERBS, type Verb } from './verbs.js';


/**
 * The bot's behaviour, one method per kind of turn, free of any bot SDK: the wiring hands in the
 * activity's identity and input, and sends back the Reply. Every command runs for a validated
 * caller, in a personal chat, of a tenant that has consented; help and the welcome need none.
 */
export class BotCommands {
  constructor(private readonly deps: CommandDeps) {}

  /** The bot was added to a personal chat. */
  async welcome(identity: ActivityIdentity): Promise<Reply> {
    const who = callerOf(identity);
    const setupNeeded = who.ok ? await tenantProblem(this.deps, who.caller) : undefined;
    return { kind: 'welcome', ...(setupNeeded ? { setupNeeded } : {}) };
  }

  /** A typed message (or a welcome-card button, which Teams sends as the typed text). */
  async message(identity: ActivityIdentity, text: string | undefined): Promise<Reply> {
    const intent = parseIntent(text);
    if (intent === 'help' || intent === 'unknown') return { kind: 'help', unrecognised: intent === 'unknown' };
    return this.asCaller(identity, (caller) => {
      switch (intent) {
        case 'connect':
          return connectDevice(this.deps, caller);
        case 'devices':
          return listDevices(this.deps, caller);
        case 'status':
          return status(this.deps, caller);
      }
    });
  }

  /** An Action.Execute button of one of the bot's cards. */
  async action(identity: ActivityIdentity, verb: Verb, data: unknown): Promise<Reply> {
    return this.asCaller(identity, (caller) => (verb === VERBS.revokeDevice ? revokeDevice(this.deps, caller, data) : listDevices(this.deps, caller)));
  }

  private async asCaller(identity: ActivityIdentity, run: (caller: BotCaller) => Promise<Reply>): Promise<Reply> {
    const who = callerOf(identity);
    if (!who.ok) return { kind: 'no-identity' };
    // A link or QR code posted where others can see it would let them connect their own device as
    // this user; device lists and status are personal too.
    if (!who.personal) return { kind: 'not-personal' };
    const problem = await tenantProblem(this.deps, who.caller);
    if (problem) return { kind: 'tenant-not-ready', problem };
    return run(who.caller);
  }
}
