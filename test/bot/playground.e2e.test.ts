import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../bot/create-bot.js';
import { carddavRoutes } from '../../src/carddav/routes.js';
import { createDevices, type DevicesModule } from '../../src/devices/create-devices.js';
import type { AdminRevocation } from '../../src/devices/devices.js';
import { onboardingRoutes } from '../../src/devices/onboarding-routes.js';
import { createLogger } from '../../src/log/logger.js';
import { createApp } from '../../src/server/app.js';
import { listen, type RunningServer } from '../../src/server/http-server.js';
import { multistatus, xml } from '../carddav/helpers.js';
import { thunderbird } from '../carddav/client-bodies.js';
import { CONTOSO_TENANT_ID } from '../helpers/dev-tenant.js';
import { freePort } from '../helpers/processes.js';
import { startTabApiServer, type TabApiServer } from '../helpers/tab-api-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import type { Json } from './bot-fixture.js';
import { Playground, type ChatMessage } from './playground.js';
import { contosoPlayground, PLAYGROUND_USERS } from '../../scripts/lib/playground-config.mjs';

const ENGINEERING = 'c9000006-5eed-4000-8000-000000000006';
const ZBARIMG = '/usr/bin/zbarimg';

/**
 * End to end: the Microsoft 365 Agents Playground talks to the running bot (local mode, no app
 * password) on an HTTP server that also serves onboarding and CardDAV, over a store that the dev
 * tenant's Contoso has synced into. The Playground's user is Grace Kim (Engineering); the policy
 * gives Engineering the members of Engineering.
 */
describe('bot with the Microsoft 365 Agents Playground: from "connect a device" to a synced address book', () => {
  const tmp = tempDir('playground-');
  let s: TabApiServer;
  let server: RunningServer;
  let base: string;
  let pg: Playground;
  let devices: DevicesModule;
  /** The enrolled device's address book and Basic credentials. */
  let device: { bookUrl: string; auth: string } | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(ZBARIMG)) throw new Error(`${ZBARIMG} is missing: apt-get install zbar-tools (.ci/run does)`);
    s = await startTabApiServer();
    // The administrator's first visit records consent and the sync grant; then a full round and the policy.
    expect((await s.call('GET', '/api/me', await s.ssoToken(CONTOSO_TENANT_ID, 'ethan.walker@contoso.example'))).status).toBe(200);
    await s.sync(CONTOSO_TENANT_ID);
    await s.setPolicy(CONTOSO_TENANT_ID, { version: 1, groups: [ENGINEERING] });

    // The bot, onboarding and CardDAV as main.ts mounts them, with links pointing at this server.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const logger = createLogger('silent');
    // As in main.ts: the devices service tells the bot when an administrator revokes a device.
    let notify: ((e: AdminRevocation) => void) | undefined;
    devices = createDevices({ store: s.store, config: { ...s.config, publicUrl: base }, onRevokedByAdmin: (e) => notify?.(e) });
    const bot = createBot({ config: { mode: 'local', appId: undefined }, store: s.store, devices: devices.service, cipher: s.core.cipher, logger })!;
    notify = bot.onRevokedByAdmin;
    const app = createApp({
      logger, store: s.store, version: 'test',
      apiRouters: [bot.router],
      routers: [
        { path: '/enroll', router: onboardingRoutes({ devices: devices.service }) },
        { path: '/', router: carddavRoutes({ authenticator: devices.authenticator, db: s.store.db, cipher: s.core.cipher, publicUrl: base, logger }) },
      ],
    });
    server = await listen(app, { host: '127.0.0.1', port });
    pg = await Playground.start(`${base}/api/messages`, tmp.dir);
  });
  afterAll(async () => {
    await pg?.stop();
    await server?.close(100);
    await s?.stop();
    tmp.remove();
  });

  const cardOf = (m: ChatMessage): Json => m.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  const elements = (node: Json): Json[] =>
    Array.isArray(node) ? node.flatMap(elements) : node && typeof node === 'object' ? [...(typeof node.type === 'string' ? [node] : []), ...['body', 'items', 'columns', 'actions'].flatMap((k) => (k in node ? elements(node[k]) : []))] : [];
  const hasText = (m: ChatMessage, pattern: RegExp) => elements(cardOf(m)).some((e: Json) => e.type === 'TextBlock' && pattern.test(e.text));

  it('chats as Contoso users of the dev tenant: the Playground\'s configured ids are theirs', () => {
    const truth = s.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    expect(pg.user.aadObjectId).toBe(truth.getUser('grace.kim@contoso.example')!.id);
    for (const user of PLAYGROUND_USERS) expect(contosoPlayground(user).currentUser.aadObjectId, user).toBe(truth.getUser(`${user}@contoso.example`)!.id);
  });

  it('welcomes Grace when the app is installed', async () => {
    await pg.install();
    const welcome = await pg.waitFor((m) => m.action === 'createMessage' && !!cardOf(m) && hasText(m, /^Welcome to Switchboard$/));
    expect(welcome.conversationId).toBe(pg.conversationId);
  });

  it('"connect a device" gives a QR code that zbarimg reads; its link enrolls a device whose CardDAV address book holds Engineering', async () => {
    const from = pg.messages.length;
    await pg.say('connect a device');
    const message = await pg.waitFor((m) => elements(cardOf(m)).some((e: Json) => e.type === 'Image'), from);
    const card = cardOf(message);
    const image = elements(card).find((e: Json) => e.type === 'Image');
    const button = elements(card).find((e: Json) => e.type === 'Action.OpenUrl');

    // Decode the QR image as a phone's camera would.
    const png = path.join(tmp.dir, 'qr.png');
    fs.writeFileSync(png, Buffer.from(String(image.url).replace(/^data:image\/png;base64,/, ''), 'base64'));
    const scan = spawnSync(ZBARIMG, ['--raw', '-q', png], { encoding: 'utf8', timeout: 10_000 });
    expect(scan.status, scan.stderr).toBe(0);
    const link = scan.stdout.trim();
    expect(link).toMatch(new RegExp(`^${base}/enroll/[A-Za-z0-9]+$`));
    expect(button.url).toBe(link);

    // Follow it as a CardDAV client's owner would: the landing page, then the button that redeems it.
    expect((await fetch(link, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    const redeemed = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'platform=other', signal: AbortSignal.timeout(10_000) });
    expect(redeemed.status).toBe(200);
    const page = await redeemed.text();
    const field = (label: string) => new RegExp(`<dt>${label}</dt><dd><code>([^<]*)</code></dd>`).exec(page)?.[1];
    const [bookUrl, username, password] = [field('Address book URL'), field('User name'), field('Password')];
    expect(bookUrl).toMatch(new RegExp(`^${base}/dav/addressbooks/`));
    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    device = { bookUrl: bookUrl!, auth };

    // PROPFIND the book for its cards, then REPORT (multiget) their vCards, as Thunderbird does.
    const listing = await multistatus(await fetch(bookUrl!, { method: 'PROPFIND', headers: { authorization: auth, depth: '1', 'content-type': 'application/xml' }, body: xml(thunderbird.listing), signal: AbortSignal.timeout(10_000) }));
    const hrefs = listing.responses.map((r) => r.href).filter((h) => h.endsWith('.vcf'));
    const report = await multistatus(await fetch(bookUrl!, { method: 'REPORT', headers: { authorization: auth, depth: '1', 'content-type': 'application/xml' }, body: xml(thunderbird.multiget(hrefs)), signal: AbortSignal.timeout(10_000) }));
    const cards = report.responses.map((r) => r.ok.get('{urn:ietf:params:xml:ns:carddav}address-data')!.text);
    const uids = cards.map((c) => /^UID:(.*)$/m.exec(c)![1]!.trim()).sort();
    const names = cards.map((c) => /^FN:(.*)$/m.exec(c)![1]!.trim()).sort();

    // Expected: Engineering's members as the dev tenant's own directory has them (users, enabled).
    const truth = s.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    const engineers = truth.transitiveMembers(ENGINEERING).filter((m) => m.type === 'user').map((m) => truth.getUser(m.id)!);
    expect(uids).toEqual(engineers.map((u) => u.id).sort());
    expect(names).toEqual(['Ava Johansson', 'Fatima Zahra', 'Grace Kim', 'Liam Novak', 'Noah Schmidt', 'Yuki Tanaka']);
  });

  it('"devices" lists the new device; its Revoke button updates the card in place and the device loses access', async () => {
    const from = pg.messages.length;
    await pg.say('devices');
    const message = await pg.waitFor((m) => !!cardOf(m) && hasText(m, /^Your connected devices$/), from);
    const revoke = elements(cardOf(message)).find((e: Json) => e.type === 'Action.Execute' && e.verb === 'revokeDevice');
    expect(revoke).toBeDefined();
    const response = await pg.press(message.messageId, revoke);
    expect(response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(elements(response.value).some((e: Json) => e.type === 'TextBlock' && /^Revoked: /.test(e.text))).toBe(true);
    const updated = await pg.waitFor((m) => m.action === 'updateMessage' && m.messageId === message.messageId, from);
    expect(hasText(updated, /^Revoked: Contacts app\./)).toBe(true);
    expect(elements(cardOf(updated)).some((e: Json) => e.verb === 'revokeDevice')).toBe(false);
    const refused = await fetch(device!.bookUrl, { method: 'PROPFIND', headers: { authorization: device!.auth, depth: '0' }, signal: AbortSignal.timeout(10_000) });
    expect(refused.status).toBe(401);
  });

  it('tells Grace in her chat, unprompted, when an administrator revokes one of her devices', async () => {
    const from = pg.messages.length;
    const grace = pg.user.aadObjectId;
    const { device: phone } = await devices.service.addDevice(CONTOSO_TENANT_ID, grace, 'iphone');
    expect(await devices.service.revokeDeviceAsAdmin(CONTOSO_TENANT_ID, phone.id, { id: 'admin', name: 'Ethan Walker' })).toBe(true);
    const told = await pg.waitFor((m) => m.action === 'createMessage' && /An administrator revoked your device "iPhone"/.test(m.text ?? ''), from);
    expect(told.conversationId).toBe(pg.conversationId);
  });
});
