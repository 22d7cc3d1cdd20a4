import os from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { DirectoryRepository } from '../store/directory-repository.js';
import type { Store } from '../store/store.js';
import { createDevices } from './create-devices.js';
import { parsePlatform } from './platform.js';

/** The CLI's `withCore`: runs a command with an open store, the data cipher and the configuration. */
export type WithCore = (fn: (core: { store: Store; cipher: FieldCipher; config: Config }) => Promise<void>) => Promise<void>;

/**
 * `switchboard devices add | list | revoke`. `add` prints the new device's credentials as JSON, once:
 * the password is not stored and cannot be printed again.
 */
export function registerDeviceCommands(program: Command, withCore: WithCore, print: (value: unknown) => void): void {
  const devices = program.command('devices').description("users' connected devices (CardDAV credentials)");

  devices
    .command('add')
    .description('create a device for a user who receives contacts; prints its CardDAV URL, user name and password (shown once)')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--user <upn|id>', "the user's principal name or Entra object id (from the synced directory)")
    .option('--name <name>', 'a name for the device, as its owner will see it')
    .option('--platform <platform>', 'iphone | ipad | mac | android | other', 'other')
    .action((opts: { tenant: string; user: string; name?: string; platform: string }) =>
      withCore(async ({ store, cipher, config }) => {
        const platform = parsePlatform(opts.platform);
        if (!platform) throw new Error(`unknown platform "${opts.platform}": use iphone, ipad, mac, android or other`);
        const userId = await resolveUser(new DirectoryRepository(store.db, cipher), opts.tenant, opts.user);
        const { device, credentials } = await createDevices({ store, config }).service.addDevice(opts.tenant, userId, platform, opts.name);
        print({
          deviceId: device.id,
          userId,
          name: device.name,
          carddavUrl: credentials.principalUrl,
          addressBookUrl: credentials.addressBookUrl,
          serverUrl: credentials.serverUrl,
          username: credentials.username,
          password: credentials.password,
          note: 'The password is shown only now; it is stored as a hash and cannot be shown again.',
        });
      }),
    );

  devices
    .command('list')
    .description("a tenant's active devices, or one user's")
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--user <upn|id>', "only this user's devices")
    .action((opts: { tenant: string; user?: string }) =>
      withCore(async ({ store, cipher, config }) => {
        const { service } = createDevices({ store, config });
        if (opts.user) {
          const userId = await resolveUser(new DirectoryRepository(store.db, cipher), opts.tenant, opts.user);
          print((await service.listDevices(opts.tenant, userId)).map((d) => ({ ...d, userId })));
        } else {
          print(await service.listTenantDevices(opts.tenant));
        }
      }),
    );

  devices
    .command('revoke')
    .description('revoke a device: its next request is refused')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--device <id>', 'device id (its CardDAV user name)')
    .action((opts: { tenant: string; device: string }) =>
      withCore(async ({ store, config }) => {
        const actor = { id: `cli:${os.userInfo().username}`, name: 'switchboard CLI' };
        if (!(await createDevices({ store, config }).service.revokeDeviceAsAdmin(opts.tenant, opts.device, actor))) {
          throw new Error(`no active device ${opts.device} in tenant ${opts.tenant}`);
        }
        print({ revoked: opts.device });
      }),
    );
}

/**
 * A user by Entra object id, or by user principal name. UPNs are sealed with the rest of the user's
 * fields, so finding one decrypts the directory a page at a time: fine for an administrator's command.
 */
export async function resolveUser(directory: DirectoryRepository, tenantId: string, user: string): Promise<string> {
  const [byId] = await directory.getUsers(tenantId, [user]);
  if (byId) return byId.id;
  const wanted = user.trim().toLowerCase();
  for await (const u of directory.iterateUsers<{ userPrincipalName?: string | null; mail?: string | null }>(tenantId)) {
    if (u.data.userPrincipalName?.toLowerCase() === wanted) return u.id;
  }
  throw new Error(`no user "${user}" in the synced directory of tenant ${tenantId} (has it synced? switchboard sync run --tenant ${tenantId})`);
}
