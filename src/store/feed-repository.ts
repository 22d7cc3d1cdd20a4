import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

export interface FeedChange {
  seq: number;
  contactId: string;
  op: 'upsert' | 'remove';
}

const CHUNK = 500;

/**
 * Audiences, what each sees, which user is in which, and the change feed: the sync core writes it,
 * CardDAV and the tab read it. Reads are indexed by audience so that "what changed since N" costs
 * the size of the answer, not of the directory.
 */
export class FeedRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async audiences(tenantId: string): Promise<{ id: number; key: string; groups: string[] }[]> {
    const rows = await this.db.selectFrom('audiences').selectAll().where('tenant_id', '=', tenantId).execute();
    return rows.map((r) => ({ id: r.id, key: r.key, groups: JSON.parse(r.groups_json) as string[] }));
  }

  async createAudience(tenantId: string, key: string, groups: string[]): Promise<number> {
    const row = await this.db.insertInto('audiences').values({ tenant_id: tenantId, key, groups_json: JSON.stringify(groups) }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /** Contact id → seq of its last change, for one audience. */
  async audienceContacts(audienceId: number): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('audience_contacts').select(['contact_id', 'seq']).where('audience_id', '=', audienceId).execute();
    return new Map(rows.map((r) => [r.contact_id, r.seq]));
  }

  /**
   * Hands out `count` consecutive feed numbers for the tenant. Call inside the transaction that
   * writes the changes, so numbers and changes commit together.
   */
  /** How many contacts an audience sees: one count over its primary key, for status messages. */
  async countContacts(audienceId: number): Promise<number> {
    const row = await this.db.selectFrom('audience_contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('audience_id', '=', audienceId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async allocateSeq(tenantId: string, count: number): Promise<number> {
    const row = await this.db
      .updateTable('tenants')
      .set({ contact_seq: sql`contact_seq + ${count}` })
      .where('id', '=', tenantId)
      .returning('contact_seq')
      .executeTakeFirstOrThrow();
    return Number(row.contact_seq) - count + 1;
  }

  /** Records changes for an audience and keeps its contact set in step. */
  async applyChanges(tenantId: string, audienceId: number, changes: FeedChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += CHUNK) {
      const chunk = changes.slice(i, i + CHUNK);
      await this.db
        .insertInto('contact_changes')
        .values(chunk.map((c) => ({ tenant_id: tenantId, audience_id: audienceId, seq: c.seq, contact_id: c.contactId, op: c.op })))
        .execute();
      const upserts = chunk.filter((c) => c.op === 'upsert');
      if (upserts.length > 0) {
        await this.db
          .insertInto('audience_contacts')
          .values(upserts.map((c) => ({ tenant_id: tenantId, audience_id: audienceId, contact_id: c.contactId, seq: c.seq })))
          .onConflict((oc) => oc.columns(['audience_id', 'contact_id']).doUpdateSet((eb) => ({ seq: eb.ref('excluded.seq') })))
          .execute();
      }
      const removes = chunk.filter((c) => c.op === 'remove').map((c) => c.contactId);
      if (removes.length > 0) await this.db.deleteFrom('audience_contacts').where('audience_id', '=', audienceId).where('contact_id', 'in', removes).execute();
    }
  }

  async userAudiences(tenantId: string): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('user_audiences').select(['user_id', 'audience_id']).where('tenant_id', '=', tenantId).execute();
    return new Map(rows.map((r) => [r.user_id, r.audience_id]));
  }

  async setUserAudiences(tenantId: string, set: [userId: string, audienceId: number][], remove: string[]): Promise<void> {
    for (let i = 0; i < remove.length; i += CHUNK) {
      await this.db.deleteFrom('user_audiences').where('tenant_id', '=', tenantId).where('user_id', 'in', remove.slice(i, i + CHUNK)).execute();
    }
    for (let i = 0; i < set.length; i += CHUNK) {
      await this.db
        .insertInto('user_audiences')
        .values(set.slice(i, i + CHUNK).map(([user_id, audience_id]) => ({ tenant_id: tenantId, user_id, audience_id })))
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet((eb) => ({ audience_id: eb.ref('excluded.audience_id') })))
        .execute();
    }
  }

  /** The audience a user is in, or undefined when they receive nothing. */
  async audienceOf(tenantId: string, userId: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('user_audiences').select('audience_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
    return row?.audience_id;
  }

  /** Changes after `sinceSeq`, in order; the CardDAV sync-collection answer stands on this. */
  async changesSince(audienceId: number, sinceSeq: number, limit = 10_000): Promise<FeedChange[]> {
    const rows = await this.db
      .selectFrom('contact_changes')
      .select(['seq', 'contact_id', 'op'])
      .where('audience_id', '=', audienceId)
      .where('seq', '>', sinceSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: r.seq, contactId: r.contact_id, op: r.op }));
  }

  /** The audience's latest feed position: max() over the (audience_id, seq, …) primary key, one index probe. */
  async latestSeq(audienceId: number): Promise<number> {
    const row = await this.db.selectFrom('contact_changes').select((eb) => eb.fn.max('seq').as('seq')).where('audience_id', '=', audienceId).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  /** The feed position of each given contact's last change in the audience (absent: not in it). */
  async contactVersions(audienceId: number, contactIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < contactIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('audience_contacts')
        .select(['contact_id', 'seq'])
        .where('audience_id', '=', audienceId)
        .where('contact_id', 'in', contactIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.set(r.contact_id, Number(r.seq));
    }
    return out;
  }

  /** A page of the audience's contacts in id order (keyset paging on the primary key). */
  async contactsPage(audienceId: number, afterContactId: string, limit: number): Promise<{ contactId: string; seq: number }[]> {
    const rows = await this.db
      .selectFrom('audience_contacts')
      .select(['contact_id', 'seq'])
      .where('audience_id', '=', audienceId)
      .where('contact_id', '>', afterContactId)
      .orderBy('contact_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ contactId: r.contact_id, seq: Number(r.seq) }));
  }

  /** Removes every audience of the tenant, with their contact sets, members and feeds (cascade). */
  async purgeTenant(tenantId: string): Promise<void> {
    await this.db.deleteFrom('audiences').where('tenant_id', '=', tenantId).execute();
  }

  async tenantSeq(tenantId: string): Promise<number> {
    const row = await this.db.selectFrom('tenants').select('contact_seq').where('id', '=', tenantId).executeTakeFirst();
    return Number(row?.contact_seq ?? 0);
  }
}
