import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyError, type Policy } from '../../../src/core/policy/policy.js';
import { syncDirectory } from '../../../src/core/sync/directory-sync.js';
import { loadPolicy, PolicyConflict, savePolicy } from '../../../src/core/tenant-policy.js';
import { recomputeVisibility } from '../../../src/core/visibility/recompute.js';
import { FieldCipher } from '../../../src/crypto/field-cipher.js';
import { FeedRepository } from '../../../src/store/feed-repository.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, type RunningDevTenant } from '../../helpers/dev-tenant.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FetchPages } from '../sync/fetch-pages.js';

/**
 * The group-filter rule of PRODUCT.md applied to the synced directory: who receives contacts, which,
 * and the change feed devices will read. Driven end to end from the dev tenant's sample organisation.
 */
describe('visibility: audiences and the change feed', () => {
  let dev: RunningDevTenant;
  let store: Store;
  let pages: FetchPages;
  const tmp = tempDir();
  const cipher = new FieldCipher([randomBytes(32)]);
  const admin = { id: 'admin-oid', name: 'Ethan Walker' };
  const deps = () => ({ db: store.db, cipher });
  const feed = () => new FeedRepository(store.db);
  const truth = () => dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
  const user = (upn: string) => truth().getUser(upn)!.id;
  const group = (name: string) => [...truth().listGroups()].find((g) => g.displayName === name)!.id;
  const control = (p: string, init?: RequestInit) => fetch(`${dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}${p}`, { ...init, headers: { 'content-type': 'application/json' } });
  const sync = async () => {
    const changes = await syncDirectory({ db: store.db, cipher, pages }, CONTOSO_TENANT_ID);
    const { policy } = await loadPolicy(deps(), CONTOSO_TENANT_ID);
    return recomputeVisibility(deps(), CONTOSO_TENANT_ID, policy, { changedUsers: changes.changedUsers, allContent: false });
  };
  /** The contact ids a user currently sees (their audience's set), or undefined when they receive nothing. */
  async function sees(upn: string): Promise<string[] | undefined> {
    const audience = await feed().audienceOf(CONTOSO_TENANT_ID, user(upn));
    return audience === undefined ? undefined : [...(await feed().audienceContacts(audience)).keys()].sort();
  }
  async function save(edit: (p: Policy) => Policy) {
    const { policy, version } = await loadPolicy(deps(), CONTOSO_TENANT_ID);
    return savePolicy(deps(), CONTOSO_TENANT_ID, edit(structuredClone(policy)), version, admin);
  }

  beforeAll(async () => {
    dev = await startTestDevTenant();
    const token = await dev.syncGraphToken();
    pages = new FetchPages(`${dev.baseUrl}/v1.0`, async () => token);
    store = openStore({ kind: 'sqlite', path: `${tmp.dir}/v.db` });
    await store.migrate();
    await store.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
  });
  afterAll(async () => {
    await store.close();
    await dev.stop();
    tmp.remove();
  });

  it('with the default policy (no groups) nobody receives any contact', async () => {
    const result = await sync();
    expect(result.usersReceiving).toBe(0);
    expect(await sees('amelia.hart@contoso.example')).toBeUndefined();
  });

  it('basic rule: a member of a configured group receives the members of that group, nested groups included', async () => {
    const result = await save((p) => ({ ...p, groups: [group('Sales')] }));
    expect(result.changes).toEqual([`added group Sales (${group('Sales')})`]);
    const sales = truth().transitiveMembers(group('Sales')).filter((m) => m.type === 'user').map((m) => m.id);
    const shown = sales.filter((id) => truth().getUser(id)!.accountEnabled).sort();
    expect(await sees('jonas.becker@contoso.example')).toEqual(shown); // Sales EU, nested in Sales
    expect(await sees('marcus.lee@contoso.example')).toEqual(shown); // Sales NA
    expect(shown).not.toContain(user('pat.former@contoso.example')); // disabled accounts excluded by default
    expect(await sees('grace.kim@contoso.example')).toBeUndefined(); // Engineering: not configured
  });

  it('a user receives only the members of the configured groups they are in', async () => {
    await save((p) => ({ ...p, groups: [group('Sales EU'), group('Engineering')] }));
    const eu = truth().directMembers(group('Sales EU')).map((m) => m.id).sort();
    expect(await sees('jonas.becker@contoso.example')).toEqual(eu);
    expect(await sees('grace.kim@contoso.example')).not.toContain(user('jonas.becker@contoso.example'));
    expect(await sees('marcus.lee@contoso.example')).toBeUndefined();
  });

  it('mapping: Executives see everyone in Sales EU and Sales NA; an audience does not see itself unless configured', async () => {
    await save((p) => ({ ...p, groups: [group('Sales EU')], mappings: [{ audience: group('Executives'), visible: [group('Sales EU'), group('Sales NA')] }] }));
    const execView = await sees('amelia.hart@contoso.example');
    expect(execView).toContain(user('jonas.becker@contoso.example'));
    expect(execView).toContain(user('marcus.lee@contoso.example'));
    expect(execView).not.toContain(user('amelia.hart@contoso.example'));
  });

  it('exclusions: disabled accounts and accounts hidden from address lists are shown only when the policy allows', async () => {
    await save((p) => ({ ...p, groups: [group('Executives'), group('Sales NA')], mappings: [] }));
    expect(await sees('amelia.hart@contoso.example')).not.toContain(user('dana.quinn@contoso.example'));
    expect(await sees('marcus.lee@contoso.example')).not.toContain(user('pat.former@contoso.example'));
    await save((p) => ({ ...p, exclude: { ...p.exclude, hiddenFromAddressLists: false, disabledAccounts: false } }));
    expect(await sees('amelia.hart@contoso.example')).toContain(user('dana.quinn@contoso.example'));
    expect(await sees('marcus.lee@contoso.example')).toContain(user('pat.former@contoso.example'));
    await save((p) => ({ ...p, exclude: { ...p.exclude, hiddenFromAddressLists: true, disabledAccounts: true } }));
  });

  it('the change feed records, per audience, exactly what entered, changed and left', async () => {
    const audience = (await feed().audienceOf(CONTOSO_TENANT_ID, user('marcus.lee@contoso.example')))!;
    const mark = await feed().tenantSeq(CONTOSO_TENANT_ID);
    const hannah = user("hannah.obrien@contoso.example");
    await control(`/users/${hannah}`, { method: 'PATCH', body: JSON.stringify({ jobTitle: 'Senior Account Executive' }) });
    const diego = user('diego.fernandez@contoso.example');
    await control(`/groups/${group('Sales NA')}/members/${diego}`, { method: 'DELETE' });
    await sync();
    const changes = await feed().changesSince(audience, mark);
    expect(changes.map((c) => [c.contactId, c.op])).toEqual(expect.arrayContaining([[hannah, 'upsert'], [diego, 'remove']]));
    expect(changes).toHaveLength(2);
    // Diego left the group: he no longer receives anything and nobody in Sales NA sees him.
    expect(await sees('diego.fernandez@contoso.example')).toBeUndefined();
    expect(await sees('marcus.lee@contoso.example')).not.toContain(diego);
  });

  it('a person who leaves the company disappears from every audience at the next sync', async () => {
    const marcus = user('marcus.lee@contoso.example');
    expect(await sees('amelia.hart@contoso.example')).not.toContain(marcus); // different audience
    const before = await sees('hannah.obrien@contoso.example');
    expect(before).toContain(marcus);
    await control(`/users/${marcus}`, { method: 'DELETE' });
    await sync();
    expect(await sees('hannah.obrien@contoso.example')).not.toContain(marcus);
  });

  it('hiding a field changes every card: each contact of each audience gets an upsert', async () => {
    const audience = (await feed().audienceOf(CONTOSO_TENANT_ID, user('hannah.obrien@contoso.example')))!;
    const size = (await feed().audienceContacts(audience)).size;
    const mark = await feed().tenantSeq(CONTOSO_TENANT_ID);
    const result = await save((p) => ({ ...p, hiddenFields: ['mobilePhone'] }));
    expect(result.changes).toContain('mobilePhone hidden');
    const changes = await feed().changesSince(audience, mark);
    expect(changes.filter((c) => c.op === 'upsert')).toHaveLength(size);
  });

  it('every policy change is audited with who, when, before, after and the readable changes', async () => {
    const entries = await store.audit.list(CONTOSO_TENANT_ID);
    expect(entries.length).toBeGreaterThanOrEqual(6);
    expect(entries[0]).toMatchObject({ action: 'policy.update', actor: admin });
    expect((entries[0]!.after as { changes: string[] }).changes).toContain('mobilePhone hidden');
    expect((entries[0]!.before as Policy).hiddenFields).toEqual([]);
  });

  it('refuses a policy naming a group that does not exist, and a stale edit, changing nothing', async () => {
    const { version } = await loadPolicy(deps(), CONTOSO_TENANT_ID);
    await expect(save((p) => ({ ...p, groups: ['00000000-0000-0000-0000-00000000dead'] }))).rejects.toThrow(PolicyError);
    await expect(savePolicy(deps(), CONTOSO_TENANT_ID, (await loadPolicy(deps(), CONTOSO_TENANT_ID)).policy, version - 1, admin)).rejects.toThrow(PolicyConflict);
    expect((await loadPolicy(deps(), CONTOSO_TENANT_ID)).version).toBe(version);
  });
});
