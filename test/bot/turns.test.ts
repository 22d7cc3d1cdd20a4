import type { Activity } from 'botbuilder';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { qrPngDataUri } from '../../src/devices/qr-png.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { BotFixture, cardOf, cardText, NOW, PUBLIC_URL, T, U, walk, type Json } from './bot-fixture.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BOT = { id: '28:5b0a4d00-0000-4000-8000-000000000005', name: 'Switchboard' };

describe('bot turns (TestAdapter): commands and refusals', () => {
  let f: BotFixture;

  beforeAll(async () => {
    f = await BotFixture.start();
  });
  afterAll(async () => {
    await f?.stop();
  });
  beforeEach(() => {
    f.now = NOW;
    f.sender.sent.length = 0;
    f.adapter.activeQueue.splice(0);
  });
  afterEach(async () => {
    // Each test starts with no devices, whatever the previous one left.
    for (const user of [U.grace, U.liam]) await f.devices.service.revokeAllOf(T.contoso, user);
  });

  const only = (replies: Partial<Activity>[]): Partial<Activity> => {
    expect(replies, JSON.stringify(replies)).toHaveLength(1);
    return replies[0]!;
  };
  const textOf = (replies: Partial<Activity>[]): string => {
    const reply = only(replies);
    expect(reply.attachments ?? []).toEqual([]);
    return reply.text ?? '';
  };
  const invoke = (user: string, tenant: string, verb: string, data: unknown, replyToId?: string) =>
    f.turn(f.activity(user, tenant, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }, ...(replyToId ? { replyToId } : {}) }));
  const enrollments = async (tenant: string, user: string) =>
    Number((await f.store.db.selectFrom('device_enrollments').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant).where('user_id', '=', user).executeTakeFirstOrThrow()).n);

  describe('welcome', () => {
    it('greets on install in a personal chat with what Switchboard does, what to type, and buttons that type it', async () => {
      const replies = await f.turn(f.activity(U.grace, T.contoso, { type: 'conversationUpdate', membersAdded: [BOT] }));
      const card = cardOf(only(replies));
      const text = cardText(card);
      expect(text).toContain('Welcome to Switchboard');
      expect(text).toMatch(/Contacts app of your phone, tablet or computer/);
      for (const command of ['connect a device', 'devices', 'status', 'help']) expect(text).toContain(`${command}: `);
      const typed = walk(card).filter((a: Json) => a.type === 'Action.Submit').map((a: Json) => a.data.msteams);
      expect(typed).toEqual([{ type: 'imBack', value: 'connect a device' }, { type: 'imBack', value: 'devices' }, { type: 'imBack', value: 'status' }]);
      expect(text).not.toMatch(/admin consent/);
    });

    it('says nothing when someone other than the bot joins', async () => {
      expect(await f.turn(f.activity(U.grace, T.contoso, { type: 'conversationUpdate', membersAdded: [{ id: `29:${U.liam}`, name: 'Liam' }] }))).toEqual([]);
    });

    it('tells a user of an organisation Switchboard does not know yet what their administrator must do', async () => {
      const text = cardText(cardOf(only(await f.turn(f.activity(U.nora, T.unknown, { type: 'conversationUpdate', membersAdded: [BOT] })))));
      expect(text).toContain('Welcome to Switchboard');
      expect(text).toMatch(/not set up for your organisation yet.*administrator.*grant admin consent/s);
    });
  });

  describe('connect a device', () => {
    it('answers with a card: the QR code as a small PNG data URI, the link as a button, its expiry and per-platform hints', async () => {
      const reply = only(await f.say('connect a device'));
      const card = cardOf(reply);
      // Teams' limit is 100 KB per message; the whole activity, image included, stays far below it.
      expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(100 * 1024);
      expect(card.version).toBe('1.5');

      const image = walk(card).find((e: Json) => e.type === 'Image');
      expect(image.url).toMatch(/^data:image\/png;base64,/);
      const png = Buffer.from(image.url.slice('data:image/png;base64,'.length), 'base64');
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(png.readUInt32BE(16)).toBeLessThanOrEqual(1024); // width, from IHDR
      expect(png.length).toBeLessThan(4096);

      const open = walk(card).find((a: Json) => a.type === 'Action.OpenUrl');
      expect(open.url).toMatch(new RegExp(`^${PUBLIC_URL}/enroll/[A-Za-z0-9]+$`));
      expect(image.url).toBe(qrPngDataUri(open.url)); // the code is the button's link

      const text = cardText(card);
      expect(text).toContain('expires in 15 minutes');
      expect(text).toContain(`{{TIME(${new Date(NOW + 15 * 60_000).toISOString().replace('.000Z', 'Z')})}}`);
      expect(text).toMatch(/iPhone, iPad: .*Safari/);
      expect(text).toMatch(/Android: .*DAVx⁵/);
      expect(text).toMatch(/Windows, Linux: .*Thunderbird/);

      // The link is Grace's: redeeming it creates a device of hers.
      const token = open.url.split('/').pop();
      expect(await f.devices.service.enrollmentStatus(token)).toMatchObject({ state: 'valid' });
      const redeemed = await f.devices.service.redeemEnrollment(token, 'android');
      expect((await f.devices.service.listDevices(T.contoso, U.grace)).map((d) => d.id)).toContain(redeemed.device.id);
    });

    it.each(['sync', 'Connect my iPhone', 'I got a new phone', 'add a device please', 'QR code?', 'get contacts on my phone', 'set up my Android'])('understands "%s"', async (message) => {
      const card = cardOf(only(await f.say(message)));
      expect(walk(card).some((e: Json) => e.type === 'Image' && e.url.startsWith('data:image/png;base64,'))).toBe(true);
    });

    it('refuses a user in none of the configured groups, naming whom to ask, and makes no link', async () => {
      const text = textOf(await f.say('connect a device', U.ava));
      expect(text).toMatch(/cannot connect a device: your account is not in any of the groups that receive company contacts/);
      expect(text).toContain('ask Ethan Walker');
      expect(await enrollments(T.contoso, U.ava)).toBe(0);
    });

    it('asks a user to wait while their organisation\'s first sync is still running', async () => {
      const fresh = '5eed0000-0000-4000-8000-00000000f1f1';
      await f.store.tenants.upsert(fresh, 'Fresh');
      await f.store.tenants.setConsentState(fresh, 'granted');
      expect(textOf(await f.say('connect a device', U.grace, fresh))).toMatch(/still reading your organisation's directory for the first time/);
    });

    it('refuses at the device limit and points to the device list', async () => {
      for (let i = 0; i < 20; i++) await f.devices.service.addDevice(T.contoso, U.liam, 'other');
      const text = textOf(await f.say('connect a device', U.liam));
      expect(text).toMatch(/already has 20 connected devices/);
      expect(text).toContain('**devices**');
      expect(await enrollments(T.contoso, U.liam)).toBe(0);
    });
  });

  describe('identity and organisation', () => {
    const commands = ['connect a device', 'devices', 'status'];

    it.each(commands)('"%s" from an organisation Switchboard does not know explains what the administrator must do', async (command) => {
      const text = textOf(await f.say(command, U.nora, T.unknown));
      expect(text).toMatch(/not set up for your organisation yet/);
      expect(text).toMatch(/administrator.*open the Switchboard tab.*grant admin consent.*which groups receive contacts/s);
    });

    it.each(commands)('"%s" from an organisation without admin consent says how to grant it', async (command) => {
      const text = textOf(await f.say(command, U.nora, T.fabrikam));
      expect(text).toMatch(/has not granted Switchboard admin consent/);
      expect(text).toMatch(/Enterprise applications → Switchboard → Permissions → Grant admin consent/);
      expect(await enrollments(T.fabrikam, U.nora)).toBe(0);
    });

    it('a card button from an organisation without consent is refused the same way', async () => {
      const [response] = await invoke(U.nora, T.fabrikam, 'listDevices', {});
      expect(response!.type).toBe('invokeResponse');
      expect((response!.value as Json).body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
      expect((response!.value as Json).body.value).toMatch(/has not granted Switchboard admin consent/);
    });

    it('refuses to send a link into a group chat, where others could use it', async () => {
      const text = textOf(await f.turn(f.activity(U.grace, T.contoso, { type: 'message', text: 'connect a device' }, 'groupChat')));
      expect(text).toMatch(/only help in a personal chat/);
      const before = await enrollments(T.contoso, U.grace);
      await f.turn(f.activity(U.grace, T.contoso, { type: 'message', text: 'sync' }, 'channel'));
      expect(await enrollments(T.contoso, U.grace)).toBe(before);
    });

    it('refuses an activity without a user object id (not a Teams work account)', async () => {
      const activity = f.activity(U.grace, T.contoso, { type: 'message', text: 'connect a device' });
      activity.from = { id: 'someone', name: 'Someone' };
      expect(textOf(await f.turn(activity))).toMatch(/could not tell which work account/);
    });

    it('refuses an activity whose two tenant fields disagree', async () => {
      const activity = f.activity(U.grace, T.contoso, { type: 'message', text: 'devices', channelData: { tenant: { id: T.fabrikam } } });
      expect(textOf(await f.turn(activity))).toMatch(/could not tell which work account/);
    });
  });

  describe('devices', () => {
    it('lists the user\'s devices with a revoke button each; a press revokes that one and updates the card in place', async () => {
      const phone = (await f.devices.service.addDevice(T.contoso, U.grace, 'iphone')).device;
      f.now += 60_000; // listed oldest first
      const tablet = (await f.devices.service.addDevice(T.contoso, U.grace, 'android')).device;
      const other = (await f.devices.service.addDevice(T.contoso, U.liam, 'mac')).device;

      await f.adapter.processActivity(f.activity(U.grace, T.contoso, { type: 'message', text: 'my devices' }));
      const listed = f.adapter.activeQueue[0]!;
      const card = cardOf(listed);
      expect(cardText(card)).toMatch(/iPhone[\s\S]*Android device/);
      expect(cardText(card)).not.toContain('Mac');
      const revokes = walk(card).filter((a: Json) => a.type === 'Action.Execute' && a.verb === 'revokeDevice');
      expect(revokes.map((a: Json) => a.data.deviceId)).toEqual([phone.id, tablet.id]);

      await f.adapter.processActivity(f.activity(U.grace, T.contoso, { type: 'invoke', name: 'adaptiveCard/action', value: { action: revokes[0], trigger: 'manual' }, replyToId: listed.id }));
      const [updated, response] = f.adapter.activeQueue.splice(0);
      // Teams replaces the message the button was on: same activity id, new card.
      expect(updated!.id).toBe(listed.id);
      const after = cardOf(updated);
      expect(cardText(after)).toMatch(/Revoked: iPhone\. It can no longer sync/);
      expect(walk(after).filter((a: Json) => a.verb === 'revokeDevice').map((a: Json) => a.data.deviceId)).toEqual([tablet.id]);
      expect(response!.type).toBe('invokeResponse');
      expect((response!.value as Json).status).toBe(200);
      expect((response!.value as Json).body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      expect((await f.devices.service.listDevices(T.contoso, U.grace)).map((d) => d.id)).toEqual([tablet.id]);

      // Pressing it again (an old copy of the card), or naming someone else's device, changes nothing.
      for (const deviceId of [phone.id, other.id]) {
        const [again] = await invoke(U.grace, T.contoso, 'revokeDevice', { deviceId });
        expect(cardText((again!.value as Json).body.value)).toContain('That device was already revoked.');
      }
      expect((await f.devices.service.listDevices(T.contoso, U.liam)).map((d) => d.id)).toEqual([other.id]);
      const [bad] = await invoke(U.grace, T.contoso, 'revokeDevice', { deviceId: { $ne: '' } });
      expect(cardText((bad!.value as Json).body.value)).toContain('did not name a device');
      expect((await f.devices.service.listDevices(T.contoso, U.grace))).toHaveLength(1);

      // An administrator's revocations reach the user in their chat; their own through the bot did not.
      expect(f.sender.sent).toEqual([]);
      await f.devices.service.revokeDeviceAsAdmin(T.contoso, tablet.id, { id: 'ethan', name: 'Ethan Walker' });
      // The hook does not hold up the revocation: the message follows shortly after.
      await vi.waitFor(() => expect(f.sender.sent).toHaveLength(1), { timeout: 2_000 });
      expect(f.sender.sent[0]!.reference).toMatchObject({ conversation: { id: `a:${U.grace}` }, user: { aadObjectId: U.grace }, serviceUrl: 'https://smba.trafficmanager.net/teams/' });
      expect((f.sender.sent[0]!.message as { text: string }).text).toMatch(/An administrator revoked your device "Android device"/);
    });

    it('says so when no device is connected, with a way to add one', async () => {
      const card = cardOf(only(await f.say('devices', U.liam)));
      expect(cardText(card)).toContain('No device is connected. Type **connect a device** to add one.');
      expect(walk(card).some((a: Json) => a.type === 'Action.Submit' && a.data.msteams.value === 'connect a device')).toBe(true);
    });
  });

  describe('status', () => {
    it('shows how many contacts the user receives, from which groups, and when things last synced', async () => {
      const device = (await f.devices.service.addDevice(T.contoso, U.grace, 'iphone')).device;
      const text = cardText(cardOf(only(await f.say('status'))));
      expect(text).toContain('You receive **3** company contacts');
      expect(text).toContain('From the groups: Engineering, Sales');
      expect(text).toContain('**Devices:** 1 connected, not synced yet');
      expect(text).toContain(`**Directory updated:** {{DATE(${new Date(NOW - 540_000).toISOString().replace('.000Z', 'Z')}, SHORT)}}`);
      expect(device.name).toBe('iPhone');
    });

    it('tells a user without access that they receive nothing and whom to ask', async () => {
      const text = cardText(cardOf(only(await f.say('how many contacts do I get?', U.ava))));
      expect(text).toMatch(/You receive no company contacts: your account is not in any of the groups/);
      expect(text).toContain('ask Ethan Walker');
      expect(text).not.toContain('Contacts:');
    });
  });

  describe('help', () => {
    it('"help" lists the commands', async () => {
      const text = cardText(cardOf(only(await f.say('help'))));
      expect(text).toContain('What I can do');
      for (const command of ['connect a device', 'devices', 'status', 'help']) expect(text).toContain(`${command}: `);
    });

    it('anything else gets help, saying it was not understood, and needs no access', async () => {
      const text = cardText(cardOf(only(await f.say('what is the weather like', U.nora, T.unknown))));
      expect(text).toContain('Sorry, I did not understand that');
      expect(text).toContain('connect a device: ');
    });
  });

  describe('conversation references', () => {
    it('stores the personal conversation of a known tenant\'s user, ids only; never a group chat or an unknown tenant', async () => {
      await f.say('help', U.liam);
      const stored = await f.references.get(T.contoso, U.liam);
      expect(stored).toEqual({
        channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/teams/', locale: 'en-GB',
        conversation: { id: `a:${U.liam}`, conversationType: 'personal', tenantId: T.contoso },
        bot: { id: BOT.id }, user: { id: `29:${U.liam}`, aadObjectId: U.liam },
      });
      expect(JSON.stringify(stored)).not.toContain('Someone'); // names are not kept
      await f.say('help', U.nora, T.unknown);
      expect(await f.references.get(T.unknown, U.nora)).toBeUndefined();
      const newcomer = 'c0000011-5eed-4000-8000-000000000011';
      await f.turn(f.activity(newcomer, T.contoso, { type: 'message', text: 'help' }, 'groupChat'));
      expect(await f.references.get(T.contoso, newcomer)).toBeUndefined();
      await f.turn(f.activity(newcomer, T.contoso, { type: 'message', text: 'help' }));
      expect(await f.references.get(T.contoso, newcomer)).toMatchObject({ conversation: { conversationType: 'personal' } });
    });

    it('forgets the conversation when the user removes the bot', async () => {
      await f.say('help', U.liam);
      await f.turn(f.activity(U.liam, T.contoso, { type: 'installationUpdate', action: 'remove' }));
      expect(await f.references.get(T.contoso, U.liam)).toBeUndefined();
    });

    it('tells a user once when they lose access, and again when they regain it', async () => {
      await f.say('help', U.grace);
      const feed = new FeedRepository(f.store.db);
      const watcher = f.watcher();
      await watcher.tick();
      expect(f.sender.sent).toEqual([]);

      await feed.setUserAudiences(T.contoso, [], [U.grace]);
      await Promise.all([watcher.tick(), f.notifier.announceAccessChanges()]); // two instances at once
      await watcher.tick();
      expect(f.sender.sent).toHaveLength(1);
      expect((f.sender.sent[0]!.message as { text: string }).text).toMatch(/You no longer receive company contacts.*ask Ethan Walker/s);

      await feed.setUserAudiences(T.contoso, [[U.grace, f.audienceId]], []);
      await watcher.tick();
      expect(f.sender.sent).toHaveLength(2);
      expect((f.sender.sent[1]!.message as { text: string }).text).toMatch(/You now receive company contacts/);
    });
  });
});
