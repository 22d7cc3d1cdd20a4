/**
 * The bot's wiring onto teams-ai v1 and botbuilder: the only module that imports teams-ai. It routes
 * activities to BotCommands, turns Replies into activities, authenticates requests (botbuilder's
 * CloudAdapter) and sends proactive messages. teams-ai v1 is deprecated upstream; moving to the
 * Teams SDK v2 means rewriting this file, not the commands, cards or proactive logic.
 */
import { AdaptiveCardActionExecuteResponseType, Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';
import {
  ActivityTypes,
  CardFactory,
  ConfigurationServiceClientCredentialFactory,
  MessageFactory,
  TurnContext,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import type { BotConfig } from '../src/config/config.js';
import type { Logger } from '../src/log/logger.js';
import type { ConversationRef } from '../src/store/conversation-reference-repository.js';
import { render, type OutgoingMessage } from './cards/render.js';
import type { BotCommands } from './commands/bot-commands.js';
import type { ActivityIdentity } from './commands/caller.js';
import { VERBS } from './commands/verbs.js';
import type { ConversationMemory, ProactiveSender } from './proactive.js';

export interface BotWiringDeps {
  commands: Pick<BotCommands, 'welcome' | 'message' | 'action'>;
  memory: Pick<ConversationMemory, 'remember' | 'forget'>;
  logger: Logger;
  now?: () => Date;
}

/**
 * Where botbuilder finds the Bot Framework's endpoints and signing keys; the public cloud's unless a
 * test points them at a local stand-in (then every endpoint must be given: botbuilder takes any one
 * of them as a sign that all are).
 */
export type BotFrameworkEndpoints = Omit<ConfigurationBotFrameworkAuthenticationOptions, 'MicrosoftAppId' | 'MicrosoftAppTenantId'>;

/** An authenticating adapter for the configured mode (never called with `off`). */
export function createAdapter(bot: Exclude<BotConfig, { mode: 'off' }>, endpoints: BotFrameworkEndpoints = {}): TeamsAdapter {
  if (bot.mode === 'local') {
    // No app id: botbuilder then treats authentication as disabled and accepts requests without an
    // Authorization header (what the Agents Playground sends). config.ts allows this only locally.
    return new TeamsAdapter({});
  }
  // Incoming requests: botbuilder verifies the Bot Framework JWT (signature against the published
  // keys, issuer, audience = our app id, the channel's endorsement, the service URL claim). Outgoing:
  // tokens for the single-tenant registration from its own tenant.
  const credentials = { MicrosoftAppId: bot.appId, MicrosoftAppPassword: bot.password, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: bot.tenantId };
  const adapter = new TeamsAdapter({ ...endpoints, MicrosoftAppId: bot.appId, MicrosoftAppTenantId: bot.tenantId }, new ConfigurationServiceClientCredentialFactory(credentials));
  refuseUnverifiedAs401(adapter);
  return adapter;
}

/**
 * botbuilder answers 401 only for its own AuthenticationError; a token its JWT library rejects (bad
 * signature, alg none, not yet valid) surfaces as a plain Error, which CloudAdapter turns into a 500
 * echoing the library's message. Any failure to verify an incoming request is the caller's: 401,
 * with no detail (the reason is in botbuilder's own log line).
 */
function refuseUnverifiedAs401(adapter: TeamsAdapter): void {
  const auth = (adapter as unknown as { botFrameworkAuthentication: BotFrameworkAuthentication }).botFrameworkAuthentication;
  const authenticate = auth.authenticateRequest.bind(auth);
  auth.authenticateRequest = async (activity, authHeader) => {
    try {
      return await authenticate(activity, authHeader);
    } catch (err) {
      throw err instanceof AuthenticationError ? err : new AuthenticationError('Unauthorized: the request is not from the Bot Framework', 401);
    }
  };
}

/** The teams-ai Application: routes for install, messages and card buttons. `adapter` is absent in turn tests. */
export function createTeamsApp(deps: BotWiringDeps, adapter?: TeamsAdapter): Application<TurnState> {
  const now = deps.now ?? (() => new Date());
  const app = new Application<TurnState>({
    ...(adapter ? { adapter } : {}),
    // Replies take milliseconds; a typing indicator would only add traffic.
    startTypingTimer: false,
    removeRecipientMention: true,
    longRunningMessages: false,
    // Update the card message itself (not only the presser's view), so the revoked device is gone for good.
    adaptiveCards: { actionExecuteResponseType: AdaptiveCardActionExecuteResponseType.REPLACE_FOR_ALL },
  });

  // Every turn refreshes where the user is reached, for later proactive messages.
  app.turn('beforeTurn', async (context) => {
    try {
      await deps.memory.remember(identityOf(context.activity), conversationRefOf(context.activity));
    } catch (err) {
      deps.logger.warn({ err }, 'could not store the conversation reference');
    }
    return true;
  });

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    if (!context.activity.membersAdded?.some((m) => m.id === botId)) return;
    await context.sendActivity(toActivity(render(await deps.commands.welcome(identityOf(context.activity)), now())));
  });

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    if (context.activity.action?.startsWith('remove')) await deps.memory.forget(identityOf(context.activity));
  });

  for (const verb of Object.values(VERBS)) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
      const message = render(await deps.commands.action(identityOf(context.activity), verb, data), now());
      return 'card' in message ? message.card : message.text;
    });
  }

  app.activity(ActivityTypes.Message, async (context) => {
    const reply = await deps.commands.message(identityOf(context.activity), textOf(context.activity));
    await context.sendActivity(toActivity(render(reply, now())));
  });

  return app;
}

/**
 * The bot endpoint: the adapter authenticates each request (a Bot Framework JWT in production) and
 * runs the Application; failures inside a turn are logged and answered with a short apology.
 */
export function createBotEndpoint(
  bot: Exclude<BotConfig, { mode: 'off' }>,
  deps: BotWiringDeps,
  endpoints?: BotFrameworkEndpoints,
): { handle: (req: BotRequest, res: BotResponse) => Promise<void>; sender: ProactiveSender } {
  const adapter = createAdapter(bot, endpoints);
  const app = createTeamsApp(deps, adapter);
  adapter.onTurnError = async (context, err) => {
    deps.logger.error({ err, activityType: context.activity.type }, 'bot turn failed');
    if (context.activity.type === ActivityTypes.Message) await context.sendActivity('Sorry, something went wrong on our side. Please try again in a moment.');
  };
  const appId = bot.mode === 'bot-framework' ? bot.appId : '';
  return {
    handle: (req, res) =>
      adapter.process(req, res, async (context) => {
        await app.run(context);
      }),
    sender: {
      async send(reference: ConversationRef, message: OutgoingMessage) {
        await adapter.continueConversationAsync(appId, reference as Partial<ConversationReference>, async (context) => {
          await context.sendActivity(toActivity(message));
        });
      },
    },
  };
}

export function toActivity(message: OutgoingMessage): Partial<Activity> {
  if ('card' in message) return MessageFactory.attachment(CardFactory.adaptiveCard(message.card));
  return { ...MessageFactory.text(message.text), textFormat: 'markdown' };
}

export function identityOf(activity: Activity): ActivityIdentity {
  const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return {
    aadObjectId: activity.from?.aadObjectId,
    channelTenantId: typeof channelTenant === 'string' ? channelTenant : undefined,
    conversationTenantId: activity.conversation?.tenantId,
    conversationType: activity.conversation?.conversationType,
  };
}

/** The message text; for a button pressed on a client that sends its data instead of imBack text, that data's `msteams.value`. */
function textOf(activity: Activity): string | undefined {
  if (activity.text?.trim()) return activity.text;
  const value = (activity.value as { msteams?: { value?: unknown } } | undefined)?.msteams?.value;
  return typeof value === 'string' ? value : undefined;
}

function conversationRefOf(activity: Activity): ConversationRef {
  const ref = TurnContext.getConversationReference(activity);
  return {
    channelId: ref.channelId ?? activity.channelId,
    serviceUrl: ref.serviceUrl ?? activity.serviceUrl,
    conversation: { id: activity.conversation.id, conversationType: activity.conversation.conversationType, tenantId: activity.conversation.tenantId },
    bot: { id: activity.recipient.id },
    user: { id: activity.from.id, aadObjectId: activity.from.aadObjectId },
    locale: activity.locale,
  };
}
