import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/config.js';
import { dataCipher } from '../../src/crypto/data-cipher.js';
import { createDevices } from '../../src/devices/create-devices.js';
import { registerDeviceCommands, type WithCore } from '../../src/devices/device-cli.js';
import { DirectoryRepository } from '../../src/store/directory-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const T = '11111111-2222-3333-4444-555555555555';

describe('switchboard devices (CLI commands)', () => {
  const tmp = tempDir();
  let config: Config;
  let store: Store;

  beforeAll(async () => {
    config = parseConfig({ SECRET_DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), SQLITE_PATH: path.join(tmp.dir, 'cli.db'), PUBLIC_URL: 'https://contacts.contoso.example' }, tmp.dir);
    store = openStore(config.store);
    await store.migrate();
    await store.tenants.upsert(T, 'Contoso');
    const users = [
      { id: 'oid-alice', upn: 'Alice.Hart@contoso.example' },
      { id: 'oid-bob', upn: 'bob@contoso.example' },
    ];
    await new DirectoryRepository(store.db, dataCipher(config)).upsertUsers(
      T,
      users.map((u) => ({ id: u.id, data: { displayName: u.id, userPrincipalName: u.upn }, accountEnabled: true, isGuest: false, isLicensed: true, hidden: false, hasMail: true, photoHash: null })),
      1,
    );
    const feed = new FeedRepository(store.db);
    await feed.setUserAudiences(T, [['oid-alice', await feed.createAudience(T, 'all', ['g'])]], []);
  });
  afterAll(async () => {
    await store.close();
    tmp.remove();
  });

  /** Runs `switchboard devices …` in-process against the test store; returns the printed JSON. */
  async function run(...args: string[]): Promise<unknown> {
    const printed: unknown[] = [];
    const program = new Command('switchboard').exitOverride();
    const withCore: WithCore = (fn) => fn({ store, cipher: dataCipher(config), config });
    registerDeviceCommands(program, withCore, (v) => printed.push(JSON.parse(JSON.stringify(v))));
    await program.parseAsync(['devices', ...args], { from: 'user' });
    return printed[0];
  }

  it('devices add finds the user by UPN (any case) and prints the CardDAV URL, user name and password once', async () => {
    const out = (await run('add', '--tenant', T, '--user', 'alice.hart@CONTOSO.example', '--name', 'Alice’s laptop')) as Record<string, string>;
    expect(out).toMatchObject({
      userId: 'oid-alice',
      name: 'Alice’s laptop',
      carddavUrl: `https://contacts.contoso.example/dav/principals/${out.deviceId}/`,
      addressBookUrl: `https://contacts.contoso.example/dav/addressbooks/${out.deviceId}/contacts/`,
      username: out.deviceId,
      password: expect.stringMatching(/^([a-z2-7]{4}-){7}[a-z2-7]{4}$/),
    });
    const { authenticator } = createDevices({ store, config });
    expect(await authenticator.authenticate(out.username!, out.password!, '127.0.0.1')).toEqual({ deviceId: out.deviceId, tenantId: T, userId: 'oid-alice' });
  });

  it('devices add accepts an object id, and refuses users without contacts or unknown users with a reason', async () => {
    expect(await run('add', '--tenant', T, '--user', 'oid-alice')).toMatchObject({ userId: 'oid-alice' });
    await expect(run('add', '--tenant', T, '--user', 'bob@contoso.example')).rejects.toThrow(/not in any group that receives company contacts/);
    await expect(run('add', '--tenant', T, '--user', 'nobody@contoso.example')).rejects.toThrow(/no user "nobody@contoso.example" in the synced directory/);
    await expect(run('add', '--tenant', T, '--user', 'oid-alice', '--platform', 'nokia')).rejects.toThrow(/unknown platform/);
  });

  it('devices list shows the tenant\'s or one user\'s devices; revoke revokes (audited) and says when there is none', async () => {
    const all = (await run('list', '--tenant', T)) as { id: string; userId: string }[];
    expect(all).toHaveLength(2);
    expect(all.every((d) => d.userId === 'oid-alice')).toBe(true);
    expect(await run('list', '--tenant', T, '--user', 'alice.hart@contoso.example')).toHaveLength(2);
    const id = all[0]!.id;
    expect(await run('revoke', '--tenant', T, '--device', id)).toEqual({ revoked: id });
    expect(await run('list', '--tenant', T)).toHaveLength(1);
    expect((await store.audit.list(T))[0]).toMatchObject({ action: 'device.revoke', target: id, actor: { name: 'switchboard CLI' } });
    await expect(run('revoke', '--tenant', T, '--device', id)).rejects.toThrow(/no active device/);
  });
});
