import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/**
 * Where the bot reaches a user in their personal chat: the fields of a Bot Framework
 * ConversationReference that a proactive message needs. Ids and the service URL only; names are
 * left out on purpose (they are directory data, which is never stored in plain text).
 */
export interface ConversationRef {
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; conversationType?: string; tenantId?: string };
  bot: { id: string };
  user: { id: string; aadObjectId?: string };
  locale?: string;
}

/** A stored conversation whose owner's access to contacts differs from what they were last told. */
export interface AccessChange {
  tenantId: string;
  userId: string;
  reference: ConversationRef;
  hadAccess: boolean;
  hasAccess: boolean;
}

/** The bot's personal conversations, one per user (Teams has one personal chat per bot and user). */
export class ConversationReferenceRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /**
   * Records (or refreshes) where the user is reached. `hasAccess` seeds what the user is taken to know
   * about their access on the first save only: later changes are the access watcher's to announce.
   */
  async save(tenantId: string, userId: string, reference: ConversationRef, hasAccess: boolean, now = Date.now()): Promise<void> {
    const json = JSON.stringify(minimal(reference));
    await this.db
      .insertInto('bot_conversations')
      .values({ tenant_id: tenantId, user_id: userId, reference: json, had_access: hasAccess ? 1 : 0, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'user_id']).doUpdateSet((eb) => ({
          reference: eb.ref('excluded.reference'),
          updated_at: eb.ref('excluded.updated_at'),
          had_access: eb.fn.coalesce(eb.ref('bot_conversations.had_access'), eb.ref('excluded.had_access')),
        })),
      )
      .execute();
  }

  async get(tenantId: string, userId: string): Promise<ConversationRef | undefined> {
    const row = await this.db.selectFrom('bot_conversations').select('reference').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
    return row && parseReference(row.reference);
  }

  /** Forgets the conversation (the user removed the bot): nothing may be sent there any more. */
  async delete(tenantId: string, userId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('bot_conversations').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Users whose access changed since they were last told: stored `had_access` against whether they
   * are in an audience now. One indexed join over the bot's users, not over the directory.
   */
  async accessChanges(limit = 500): Promise<AccessChange[]> {
    const rows = await this.db
      .selectFrom('bot_conversations as bc')
      .leftJoin('user_audiences as ua', (join) => join.onRef('ua.tenant_id', '=', 'bc.tenant_id').onRef('ua.user_id', '=', 'bc.user_id'))
      .select(['bc.tenant_id', 'bc.user_id', 'bc.reference', 'bc.had_access', 'ua.audience_id'])
      .where((eb) =>
        eb.or([
          eb.and([eb('bc.had_access', '=', 1), eb('ua.audience_id', 'is', null)]),
          eb.and([eb('bc.had_access', '=', 0), eb('ua.audience_id', 'is not', null)]),
        ]),
      )
      .orderBy('bc.tenant_id')
      .orderBy('bc.user_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ tenantId: r.tenant_id, userId: r.user_id, reference: parseReference(r.reference), hadAccess: r.had_access === 1, hasAccess: r.audience_id !== null }));
  }

  /**
   * Moves the recorded access from `from` to `to` if it still is `from`. Several instances may find
   * the same change; only the one whose update lands (true) tells the user, so they hear it once.
   */
  async markAccess(tenantId: string, userId: string, from: boolean, to: boolean, now = Date.now()): Promise<boolean> {
    const result = await this.db
      .updateTable('bot_conversations')
      .set({ had_access: to ? 1 : 0, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('had_access', '=', from ? 1 : 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function minimal(r: ConversationRef): ConversationRef {
  return {
    channelId: r.channelId,
    serviceUrl: r.serviceUrl,
    conversation: { id: r.conversation.id, ...(r.conversation.conversationType ? { conversationType: r.conversation.conversationType } : {}), ...(r.conversation.tenantId ? { tenantId: r.conversation.tenantId } : {}) },
    bot: { id: r.bot.id },
    user: { id: r.user.id, ...(r.user.aadObjectId ? { aadObjectId: r.user.aadObjectId } : {}) },
    ...(r.locale ? { locale: r.locale } : {}),
  };
}

function parseReference(json: string): ConversationRef {
  return JSON.parse(json) as ConversationRef;
}
