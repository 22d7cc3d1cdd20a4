import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationReferenceRepository, type ConversationRef } from '../../src/store/conversation-reference-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const TENANT = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER = 'bbbbbbbb-0000-4000-8000-000000000002';

const ref = (user: string, extra: Partial<ConversationRef> = {}): ConversationRef => ({
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  conversation: { id: `a:${user}`, conversationType: 'personal', tenantId: TENANT },
  bot: { id: '28:bot' },
  user: { id: `29:${user}`, aadObjectId: user },
  ...extra,
});

/** Migration 0004 and the repository behave the same on both backends. */
function describeConversationReferences(name: string, makeStore: () => Promise<{ store: Store; dispose: () => Promise<void> }>): void {
  describe(`conversation references: ${name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let repo: ConversationReferenceRepository;
    let feed: FeedRepository;
    let audience: number;

    beforeAll(async () => {
      ({ store, dispose } = await makeStore());
      const status = await store.migrate();
      expect(status.applied).toContain('0004-bot-conversations');
      repo = new ConversationReferenceRepository(store.db);
      feed = new FeedRepository(store.db);
      await store.tenants.upsert(TENANT, 'T');
      await store.tenants.upsert(OTHER, 'O');
      audience = await feed.createAudience(TENANT, 'k', ['g']);
    });
    afterAll(async () => {
      await store.close();
      await dispose();
    });

    it('saves, refreshes and reads a reference; only ids and the service URL are kept', async () => {
      const named = { ...ref('u1'), user: { id: '29:u1', aadObjectId: 'u1', name: 'Grace Kim' } } as ConversationRef;
      await repo.save(TENANT, 'u1', named, true, 1_000);
      expect(await repo.get(TENANT, 'u1')).toEqual(ref('u1'));
      await repo.save(TENANT, 'u1', ref('u1', { serviceUrl: 'https://smba.trafficmanager.net/amer/' }), false, 2_000);
      expect((await repo.get(TENANT, 'u1'))?.serviceUrl).toBe('https://smba.trafficmanager.net/amer/');
      expect(await repo.get(OTHER, 'u1')).toBeUndefined();
    });

    it('finds users whose access changed since they were told, and lets one caller claim each change', async () => {
      await feed.setUserAudiences(TENANT, [['u2', audience]], []);
      await repo.save(TENANT, 'u2', ref('u2'), true); // has access, knows it
      await repo.save(TENANT, 'u3', ref('u3'), false); // no access, knows it
      // u1 was saved with access (true) and the later save did not overwrite what they were told.
      expect((await repo.accessChanges()).map((c) => [c.userId, c.hadAccess, c.hasAccess])).toEqual([['u1', true, false]]);

      await feed.setUserAudiences(TENANT, [['u3', audience]], ['u2']);
      const changes = await repo.accessChanges();
      expect(changes.map((c) => [c.userId, c.hadAccess, c.hasAccess])).toEqual([['u1', true, false], ['u2', true, false], ['u3', false, true]]);
      expect(changes[2]!.reference).toEqual(ref('u3'));

      const claims = await Promise.all([repo.markAccess(TENANT, 'u2', true, false), repo.markAccess(TENANT, 'u2', true, false)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      await repo.markAccess(TENANT, 'u1', true, false);
      await repo.markAccess(TENANT, 'u3', false, true);
      expect(await repo.accessChanges()).toEqual([]);
    });

    it('deletes one conversation, and every conversation of a deleted tenant', async () => {
      expect(await repo.delete(TENANT, 'u3')).toBe(true);
      expect(await repo.delete(TENANT, 'u3')).toBe(false);
      await repo.save(OTHER, 'x', ref('x'), false);
      await store.tenants.delete(OTHER);
      expect(await repo.get(OTHER, 'x')).toBeUndefined();
      expect(await repo.get(TENANT, 'u1')).toBeDefined();
    });
  });
}

describeConversationReferences('SQLite', async () => {
  const tmp = tempDir();
  return { store: openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'refs.db') }), dispose: async () => tmp.remove() };
});

describeConversationReferences('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return { store: openStore({ kind: 'postgres', url: db.url }), dispose: db.drop };
});
