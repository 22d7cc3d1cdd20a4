import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretHasher } from '../../src/devices/credentials.js';
import { StoreDeviceAuthenticator } from '../../src/devices/device-authenticator.js';
import { DevicesService } from '../../src/devices/devices.js';
import { onboardingRoutes } from '../../src/devices/onboarding-routes.js';
import { renderError } from '../../src/server/errors.js';
import { DeviceRepository } from '../../src/store/device-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { serveForTest } from '../helpers/http.js';
import { tempDir } from '../helpers/temp-dir.js';

const UA = {
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  iphoneTeams: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 TeamsMobile-iOS',
  ipadSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  // Link previewers: Teams/Skype's unfurler, iMessage (which presents itself as Facebook's and Twitter's bots), Slack.
  teamsPreview: 'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
  iMessagePreview: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
  slackPreview: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
};

const T = 'tenant-o';
const PUBLIC_URL = 'https://switchboard.example:8443';

describe('onboarding pages', () => {
  const tmp = tempDir();
  let store: Store;
  let feed: FeedRepository;
  let service: DevicesService;
  let authenticator: StoreDeviceAuthenticator;
  let closeServer: () => Promise<void>;
  let base: string;
  let now = 1_700_000_000_000;

  beforeAll(async () => {
    store = openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'onboarding.db') });
    await store.migrate();
    await store.tenants.upsert(T, 'O');
    feed = new FeedRepository(store.db);
    const audience = await feed.createAudience(T, 'all', ['g']);
    await feed.setUserAudiences(T, [['alice', audience], ['bob', audience]], []);
    const repo = new DeviceRepository(store.db);
    const hasher = new SecretHasher([randomBytes(32)]);
    service = new DevicesService({ repo, feed, hasher, publicUrl: PUBLIC_URL, now: () => now });
    authenticator = new StoreDeviceAuthenticator({ devices: repo, hasher, now: () => now });
    const app = express();
    app.use('/enroll', onboardingRoutes({ devices: service }));
    app.use(renderError);
    ({ base, close: closeServer } = await serveForTest(app));
  });
  afterAll(async () => {
    await closeServer();
    await store.close();
    tmp.remove();
  });

  const newLink = async (user = 'alice') => {
    const link = await service.startEnrollment(T, user);
    const token = link.enrollmentUrl.split('/').pop()!;
    return { token, path: `/enroll/${token}` };
  };
  const get = (p: string, ua: string, method = 'GET') => fetch(base + p, { method, headers: { 'user-agent': ua }, redirect: 'manual' });
  const post = (p: string, ua: string, form: Record<string, string> = {}) =>
    fetch(base + p, { method: 'POST', headers: { 'user-agent': ua, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const field = (page: string, label: string) => new RegExp(`<dt>${label}</dt><dd><code>([^<]*)</code></dd>`).exec(page)?.[1];

  it('on an iPhone in Safari, GET shows what will happen and a button that POSTs; no script, no secrets', async () => {
    const link = await newLink();
    const res = await get(link.path, UA.iphoneSafari);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const page = await res.text();
    expect(page).toContain(`<form method="post" action="${link.path}">`);
    expect(page).toContain('<input type="hidden" name="platform" value="iphone">');
    expect(page).toContain('download a profile');
    expect(page).not.toContain('Open this page in Safari');
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/alice/);
  });

  it('on an iPhone inside Teams, says to open the page in Safari first', async () => {
    const page = await (await get((await newLink()).path, UA.iphoneTeams)).text();
    expect(page).toContain('Open this page in Safari');
  });

  it('link previews (GET and HEAD by unfurlers) do not consume the link', async () => {
    const link = await newLink();
    for (const ua of [UA.teamsPreview, UA.iMessagePreview, UA.slackPreview]) {
      expect((await get(link.path, ua)).status).toBe(200);
      expect((await get(link.path, ua, 'HEAD')).status).toBe(200);
    }
    expect((await service.enrollmentStatus(link.token)).state).toBe('valid');
    expect((await post(link.path, UA.windows, { platform: 'other' })).status).toBe(200);
  });

  it('iPhone: POST redeems and links to a one-time profile that is a valid property list with the CardDAV keys', async () => {
    const link = await newLink();
    const res = await post(link.path, UA.iphoneSafari, { platform: 'iphone' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    const href = /<a class="button" href="([^"]+)">Download profile<\/a>/.exec(page)?.[1];
    expect(href).toMatch(new RegExp(`^${link.path}/profile\\.mobileconfig\\?download=[a-z2-7]{32}$`));
    expect(page).toContain('Profile Downloaded');
    const username = field(page, 'User name')!;
    const password = field(page, 'Password')!;
    expect(await authenticator.authenticate(username, password, '192.0.2.1')).toMatchObject({ deviceId: username, userId: 'alice' });

    // A HEAD (a download manager, a previewer) only looks.
    expect((await get(href!, UA.iphoneSafari, 'HEAD')).status).toBe(200);
    const profile = await get(href!, UA.iphoneSafari);
    expect(profile.status).toBe(200);
    expect(profile.headers.get('content-type')).toBe('application/x-apple-aspen-config');
    expect(profile.headers.get('cache-control')).toBe('no-store');
    const xml = Buffer.from(await profile.arrayBuffer());
    const plist = parsePlist(xml);
    expect(plist.top).toMatchObject({
      PayloadType: ['str', 'Configuration'],
      PayloadVersion: ['int', 1],
      PayloadIdentifier: ['str', expect.stringContaining(username)],
      PayloadUUID: ['str', expect.stringMatching(/^[0-9A-F-]{36}$/)],
      PayloadContent: ['list', null],
    });
    expect(plist.account).toEqual(
      expect.objectContaining({
        PayloadType: ['str', 'com.apple.carddav.account'],
        PayloadVersion: ['int', 1],
        PayloadUUID: ['str', expect.stringMatching(/^[0-9A-F-]{36}$/)],
        CardDAVHostName: ['str', 'switchboard.example'],
        CardDAVPort: ['int', 8443],
        CardDAVUseSSL: ['bool', true],
        CardDAVPrincipalURL: ['str', `${PUBLIC_URL}/dav/principals/${username}/`],
        CardDAVUsername: ['str', username],
        CardDAVPassword: ['str', password],
        CardDAVAccountDescription: ['str', expect.any(String)],
      }),
    );
    expect(plist.account.PayloadUUID![1]).not.toBe(plist.top.PayloadUUID![1]);

    // Single use: the sealed secret is gone.
    expect((await get(href!, UA.iphoneSafari)).status).toBe(410);
    expect((await get(href!, UA.iphoneSafari, 'HEAD')).status).toBe(410);
    // And the link itself is used.
    const again = await post(link.path, UA.iphoneSafari, { platform: 'iphone' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already been used');
  });

  it('each profile has fresh PayloadUUIDs', async () => {
    const uuids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const link = await newLink('bob');
      const page = await (await post(link.path, UA.ipadSafari, { platform: 'ipad' })).text();
      const href = /href="([^"]+profile\.mobileconfig[^"]+)"/.exec(page)![1]!;
      const plist = parsePlist(Buffer.from(await (await get(href, UA.ipadSafari)).arrayBuffer()));
      uuids.add(plist.top.PayloadUUID![1] as string);
      uuids.add(plist.account.PayloadUUID![1] as string);
    }
    expect(uuids.size).toBe(4);
  });

  it('a Mac (or an iPad presenting itself as one) is offered the profile path too', async () => {
    const page = await (await get((await newLink()).path, UA.ipadSafari)).text();
    expect(page).toContain('name="platform" value="mac"');
    expect(page).toContain('download a profile');
  });

  it('Android: GET offers DAVx⁵; POST gives a davx5:// link with user, password, host, port and path, and the values', async () => {
    const link = await newLink();
    const landing = await (await get(link.path, UA.android)).text();
    expect(landing).toContain('name="platform" value="android"');
    expect(landing).toContain('DAVx⁵');
    const page = await (await post(link.path, UA.android, { platform: 'android' })).text();
    const davx5 = /<a class="button" href="(davx5:[^"]+)">Open in DAVx⁵<\/a>/.exec(page)?.[1];
    const username = field(page, 'User name')!;
    const password = field(page, 'Password')!;
    expect(davx5).toBe(`davx5://${username}:${password}@switchboard.example:8443/dav/principals/${username}/`);
    expect(davx5).toMatch(/^davx5:\/\/[a-z2-7]{26}:([a-z2-7]{4}-){7}[a-z2-7]{4}@/);
    expect(field(page, 'Server')).toBe(`${PUBLIC_URL}/`);
    expect(field(page, 'Address book URL')).toBe(`${PUBLIC_URL}/dav/addressbooks/${username}/contacts/`);
    expect(page).not.toContain('mobileconfig');
    expect(await authenticator.authenticate(username, password, '192.0.2.2')).toMatchObject({ deviceId: username });
  });

  it('elsewhere: the server URL, address book URL, user name and password for any client', async () => {
    const link = await newLink();
    const landing = await (await get(link.path, UA.windows)).text();
    expect(landing).toContain('name="platform" value="other"');
    expect(landing).toContain('Thunderbird');
    // A POST without a platform falls back to the User-Agent.
    const page = await (await post(link.path, UA.windows)).text();
    const username = field(page, 'User name')!;
    expect(username).toMatch(/^[a-z2-7]{26}$/);
    expect(field(page, 'Password')).toMatch(/^([a-z2-7]{4}-){7}[a-z2-7]{4}$/);
    expect(field(page, 'Server')).toBe(`${PUBLIC_URL}/`);
    expect(field(page, 'Address book URL')).toBe(`${PUBLIC_URL}/dav/addressbooks/${username}/contacts/`);
    expect(page).not.toContain('davx5://');
    expect(page).not.toContain('mobileconfig');
    expect(page).toContain('Evolution');
  });

  it('a platform chosen on the page wins over the User-Agent; an invalid one is ignored', async () => {
    const chosen = await (await post((await newLink()).path, UA.windows, { platform: 'android' })).text();
    expect(chosen).toContain('davx5://');
    const bogus = await (await post((await newLink()).path, UA.windows, { platform: '<script>alert(1)</script>' })).text();
    expect(bogus).not.toContain('<script>');
    expect(bogus).not.toContain('davx5://');
  });

  it('expired links get a clear 410 page; unknown and malformed ones a 404 page', async () => {
    const link = await newLink();
    now += 15 * 60_000;
    const expired = await get(link.path, UA.iphoneSafari);
    expect(expired.status).toBe(410);
    const text = await expired.text();
    expect(text).toContain('This link has expired');
    expect(text).toContain('Add device');
    expect((await post(link.path, UA.iphoneSafari, { platform: 'iphone' })).status).toBe(410);
    expect((await get(`/enroll/${'a'.repeat(32)}`, UA.windows)).status).toBe(404);
    const malformed = await get('/enroll/%3Cimg%20src%3Dx%3E', UA.windows);
    expect(malformed.status).toBe(404);
    expect(await malformed.text()).not.toContain('<img');
  });

  it('a user who lost access since the link was made gets a 403 page saying why', async () => {
    const link = await newLink('bob');
    await feed.setUserAudiences(T, [], ['bob']);
    const res = await post(link.path, UA.android, { platform: 'android' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('not in any group that receives company contacts');
  });
});

interface ParsedPlist {
  top: Record<string, [string, unknown]>;
  account: Record<string, [string, unknown]>;
}

/** Parses the profile with Python's plistlib (a real property-list parser) and reports keys with their types. */
function parsePlist(xml: Buffer): ParsedPlist {
  const script = [
    'import json, plistlib, sys',
    'p = plistlib.loads(sys.stdin.buffer.read(), fmt=plistlib.FMT_XML)',
    'describe = lambda d: {k: [type(v).__name__, None if isinstance(v, (list, dict)) else v] for k, v in d.items()}',
    'print(json.dumps({"top": describe(p), "account": describe(p["PayloadContent"][0])}))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script], { input: xml, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`plistlib could not parse the profile: ${result.stderr}`);
  return JSON.parse(result.stdout) as ParsedPlist;
}
