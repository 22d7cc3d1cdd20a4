/**
 * Who is talking to the bot. The wiring copies these fields from the incoming activity, which in
 * production botbuilder has authenticated as coming from the Bot Framework (a signed JWT), so
 * Teams vouches for them; the bot never asks the user who they are.
 */
export interface ActivityIdentity {
  /** `from.aadObjectId`: the user's Entra object id (absent outside Teams). */
  aadObjectId: string | undefined;
  /** `channelData.tenant.id`, Teams' own field. */
  channelTenantId: string | undefined;
  /** `conversation.tenantId`, the same tenant in the Bot Framework schema. */
  conversationTenantId: string | undefined;
  /** `conversation.conversationType`: `personal`, `groupChat` or `channel`. */
  conversationType: string | undefined;
}

/** A validated caller: the Entra user and tenant the commands act for. */
export interface BotCaller {
  tenantId: string;
  userId: string;
}

export type IdentityCheck =
  | { ok: true; caller: BotCaller; personal: boolean }
  | { ok: false };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The caller of an activity, or nothing when it lacks a well-formed user or tenant id, or when its
 * two tenant fields disagree (an activity is from one tenant; two answers mean neither can be used).
 */
export function callerOf(identity: ActivityIdentity): IdentityCheck {
  const userId = identity.aadObjectId;
  const tenants = [identity.channelTenantId, identity.conversationTenantId].filter((t): t is string => typeof t === 'string' && t.length > 0);
  const tenantId = tenants[0];
  if (!userId || !GUID.test(userId) || !tenantId || !GUID.test(tenantId)) return { ok: false };
  if (tenants.some((t) => t.toLowerCase() !== tenantId.toLowerCase())) return { ok: false };
  // Graph returns ids in lower case; the store keys on them as Graph wrote them.
  return { ok: true, caller: { tenantId: tenantId.toLowerCase(), userId: userId.toLowerCase() }, personal: identity.conversationType === 'personal' };
}
