import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syncDirectory } from '../../../src/core/sync/directory-sync.js';
import type { GraphPages } from '../../../src/core/sync/graph-pages.js';
import type { UserData } from '../../../src/core/sync/user-record.js';
import { FieldCipher } from '../../../src/crypto/field-cipher.js';
import { DirectoryRepository } from '../../../src/store/directory-repository.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, type RunningDevTenant } from '../../helpers/dev-tenant.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FetchPages } from './fetch-pages.js';

describe('directory sync by delta against the dev tenant', () => {
  let dev: RunningDevTenant;
  let store: Store;
  let pages: FetchPages;
  const tmp = tempDir();
  const dbFile = path.join(tmp.dir, 'sync.db');
  const cipher = new FieldCipher([randomBytes(32)]);
  const control = (p: string, init?: RequestInit) => fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}${p}`, { ...init, headers: { 'content-type': 'application/json' } });
  const run = () => syncDirectory({ db: store.db, cipher, pages }, CONTOSO_TENANT_ID);
  const directory = () => new DirectoryRepository(store.db, cipher);

  /** The store must equal the dev tenant's truth: same users, same groups, same direct memberships. */
  async function expectStoreMatchesTruth(): Promise<void> {
    const truth = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    const stored = [];
    for await (const u of directory().iterateUsers<UserData>(CONTOSO_TENANT_ID)) stored.push(u);
    expect(stored.map((u) => u.id).sort()).toEqual([...truth.listUsers()].map((u) => u.id).sort());
    for (const u of stored) expect(u.data.displayName).toBe(truth.getUser(u.id)!.displayName);
    const groups = await directory().getGroups(CONTOSO_TENANT_ID);
    expect(groups.map((g) => g.id).sort()).toEqual([...truth.listGroups()].map((g) => g.id).sort());
    const links = (await directory().memberships(CONTOSO_TENANT_ID)).map((m) => `${m.groupId}>${m.memberId}`).sort();
    const truthLinks = [...truth.listGroups()].flatMap((g) => truth.directMembers(g.id).map((m) => `${g.id}>${m.id}`)).sort();
    expect(links).toEqual(truthLinks);
  }

  beforeAll(async () => {
    dev = await startTestDevTenant();
    const token = await dev.syncGraphToken();
    pages = new FetchPages(`${dev.baseUrl}/v1.0`, async () => token);
    store = openStore({ kind: 'sqlite', path: dbFile });
    await store.migrate();
    await store.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
  });
  afterEach(async () => {
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'DELETE' });
    pages.failAfter = Infinity;
    pages.failOnly = undefined;
  });
  afterAll(async () => {
    await store.close();
    await dev.stop();
    tmp.remove();
  });

  it('a first round stores every user, group and membership', async () => {
    const changes = await run();
    expect(changes.full).toBe(true);
    expect(changes.changedUsers.size).toBe(36);
    expect(changes.membershipChanged).toBe(true);
    await expectStoreMatchesTruth();
  });

  it('keeps no directory data in plain text in the database files (names, phones, mail)', async () => {
    for (const file of [dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f))) {
      const bytes = fs.readFileSync(file);
      for (const needle of ['Amelia', 'Hart', '425 555 0100', 'amelia.hart@contoso', 'Chief Executive', 'Sales EU']) {
        expect(bytes.includes(Buffer.from(needle)), `${needle} in ${path.basename(file)}`).toBe(false);
      }
    }
  });

  it('a delta round with no changes costs at most 2 Graph requests', async () => {
    const before = pages.requests;
    const changes = await run();
    expect(pages.requests - before).toBeLessThanOrEqual(2);
    expect(changes.changedUsers.size).toBe(0);
    expect(changes.membershipChanged).toBe(false);
  });

  it('a delta round applies adds, updates, soft and hard deletes, and membership changes', async () => {
    const created = (await (await control('/users', { method: 'POST', body: JSON.stringify({ userPrincipalName: 'new.hire@contoso.example', displayName: 'New Hire', jobTitle: 'Engineer' }) })).json()) as { id: string };
    const grace = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('grace.kim@contoso.example')!;
    await control(`/users/${grace.id}`, { method: 'PATCH', body: JSON.stringify({ jobTitle: 'Director of Engineering' }) });
    const liam = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('liam.novak@contoso.example')!;
    const yuki = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('yuki.tanaka@contoso.example')!;
    await control(`/users/${liam.id}`, { method: 'DELETE' });
    await control(`/users/${yuki.id}?permanent=true`, { method: 'DELETE' });
    const eng = [...dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.listGroups()].find((g) => g.displayName === 'Engineering')!;
    await control(`/groups/${eng.id}/members`, { method: 'POST', body: JSON.stringify({ id: created.id }) });
    const marketing = [...dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.listGroups()].find((g) => g.displayName === 'Marketing')!;
    const guest = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.getUser('sam.partner_fabrikam.example#EXT#@contoso.example')!;
    await control(`/groups/${marketing.id}/members/${guest.id}`, { method: 'DELETE' });

    const changes = await run();
    expect(changes.full).toBe(false);
    expect([...changes.changedUsers].sort()).toEqual([created.id, grace.id].sort());
    expect([...changes.removedUsers].sort()).toEqual([liam.id, yuki.id].sort());
    expect(changes.membershipChanged).toBe(true);
    const [stored] = await directory().getUsers<UserData>(CONTOSO_TENANT_ID, [grace.id]);
    expect(stored!.data.jobTitle).toBe('Director of Engineering');
    await expectStoreMatchesTruth();
  });

  it('nested groups: adding a group to a group is stored as a group link', async () => {
    const d = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    const team = (await (await control('/groups', { method: 'POST', body: JSON.stringify({ displayName: 'Platform Team' }) })).json()) as { id: string };
    const eng = [...d.listGroups()].find((g) => g.displayName === 'Engineering')!;
    await control(`/groups/${eng.id}/members`, { method: 'POST', body: JSON.stringify({ id: team.id }) });
    await run();
    const links = await directory().memberships(CONTOSO_TENANT_ID);
    expect(links).toContainEqual({ groupId: eng.id, memberId: team.id, memberType: 'group' });
    await expectStoreMatchesTruth();
  });

  it('restarts from scratch when Graph says the delta token expired, and sweeps what disappeared meanwhile', async () => {
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deltaTokens: { expireIssuedBefore: 'now' } }) });
    const d = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    const zoe = d.getUser('zoe.nguyen@contoso.example')!;
    await control(`/users/${zoe.id}?permanent=true`, { method: 'DELETE' });
    const changes = await run();
    expect(changes.full).toBe(true);
    expect(changes.removedUsers.has(zoe.id)).toBe(true);
    await expectStoreMatchesTruth();
  });

  it('a crash mid-round leaves a consistent store, and the next round resumes from the saved page', async () => {
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deltaTokens: { expireIssuedBefore: 'now' } }) });
    pages.maxPageSize = 10;
    // Users request 1 is answered "token expired", request 2 is the first page of the new full round;
    // then the crash. The groups round runs alongside and completes.
    pages.failOnly = '/users/delta';
    pages.failAfter = 2;
    await expect(run()).rejects.toThrow('simulated crash');
    pages.failAfter = Infinity;
    pages.failOnly = undefined;
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'DELETE' });
    const before = pages.requests;
    const changes = await run();
    expect(changes.full).toBe(true);
    // Resumed at page 2 of users (35 users in pages of 10): 3 more user pages; the groups round had
    // finished, so its delta link answers in one page.
    const userPagesAfterResume = 3;
    expect(pages.requests - before).toBe(userPagesAfterResume + 1);
    pages.maxPageSize = undefined;
    await expectStoreMatchesTruth();
  });

  it('the users and groups rounds run side by side: when one fails, the other still finishes before the round rejects', async () => {
    const fresh = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'side-by-side.db') });
    await fresh.migrate();
    await fresh.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
    pages.maxPageSize = 10;
    pages.failOnly = '/groups/delta';
    pages.failAfter = 1;
    try {
      await expect(syncDirectory({ db: fresh.db, cipher, pages }, CONTOSO_TENANT_ID)).rejects.toThrow('simulated crash');
      // Every user page was written by the time the round gave up, so no write outlives the round (and its tenant lock).
      const truth = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
      const users = await fresh.db.selectFrom('directory_users').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(users.n)).toBe([...truth.listUsers()].length);
      const positions = await fresh.db.selectFrom('sync_state').selectAll().execute();
      expect(positions.find((p) => p.kind === 'users')?.delta_link).toBeTruthy();
      expect(positions.find((p) => p.kind === 'groups')?.delta_link ?? null).toBeNull();
    } finally {
      pages.maxPageSize = undefined;
      await fresh.close();
    }
  });

  it('reads ahead: the next delta page is asked for while the current one is written, and the round stores the truth', async () => {
    const fresh = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'read-ahead.db') });
    await fresh.migrate();
    await fresh.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
    const storedWhenAsked: number[] = [];
    const watching: GraphPages = Object.assign(Object.create(pages) as FetchPages, {
      get: async (url: string) => {
        if (url.includes('/users/delta')) {
          const row = await fresh.db.selectFrom('directory_users').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
          storedWhenAsked.push(Number(row.n));
        }
        return pages.get(url);
      },
    });
    pages.maxPageSize = 10;
    try {
      await syncDirectory({ db: fresh.db, cipher, pages: watching }, CONTOSO_TENANT_ID);
      // 35 users in pages of 10: page 2 is asked for before page 1 is stored, page 3 before page 2…
      expect(storedWhenAsked).toEqual([0, 0, 10, 20]);
      const users = [];
      for await (const u of new DirectoryRepository(fresh.db, cipher).iterateUsers(CONTOSO_TENANT_ID)) users.push(u.id);
      expect(users.sort()).toEqual([...dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory.listUsers()].map((u) => u.id).sort());
    } finally {
      pages.maxPageSize = undefined;
      await fresh.close();
    }
  });
});
