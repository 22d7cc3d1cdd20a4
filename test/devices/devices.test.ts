import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalSecret, SecretHasher } from '../../src/devices/credentials.js';
import { NoAccess, TooManyDevices } from '../../src/devices/device-errors.js';
import { DevicesService } from '../../src/devices/devices.js';
import { qrPng } from '../../src/devices/qr-png.js';
import { DeviceRepository } from '../../src/store/device-repository.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const T = 'tenant-s';

describe('DevicesService', () => {
  const tmp = tempDir();
  const dbPath = path.join(tmp.dir, 'service.db');
  let store: Store;
  let feed: FeedRepository;
  let repo: DeviceRepository;
  let service: DevicesService;
  let now = 1_700_000_000_000;
  const hasher = new SecretHasher([randomBytes(32)]);
  const open = () => {
    store = openStore({ kind: 'sqlite', path: dbPath });
    feed = new FeedRepository(store.db);
    repo = new DeviceRepository(store.db);
    service = new DevicesService({ repo, feed, hasher, publicUrl: 'https://switchboard.example/', audit: store.audit, now: () => now, maxDevicesPerUser: 3 });
  };

  beforeAll(async () => {
    open();
    await store.migrate();
    await store.tenants.upsert(T, 'S');
    const audience = await feed.createAudience(T, 'sales', ['g-sales']);
    await feed.setUserAudiences(T, [['alice', audience], ['carol', audience]], []);
  });
  afterAll(async () => {
    await store.close();
    tmp.remove();
  });

  it('refuses an enrollment link to a user who receives no contacts, with the reason', async () => {
    const refusal = service.startEnrollment(T, 'nobody');
    await expect(refusal).rejects.toBeInstanceOf(NoAccess);
    await expect(refusal).rejects.toThrow(/not in any group that receives company contacts/);
    await expect(service.addDevice(T, 'nobody')).rejects.toBeInstanceOf(NoAccess);
    expect(await store.db.selectFrom('device_enrollments').selectAll().where('user_id', '=', 'nobody').execute()).toEqual([]);
  });

  it('refuses to redeem a link whose owner lost access since it was made', async () => {
    const audience = (await feed.audienceOf(T, 'alice'))!;
    await feed.setUserAudiences(T, [['dan', audience]], []);
    const link = await service.startEnrollment(T, 'dan');
    await feed.setUserAudiences(T, [], ['dan']);
    await expect(service.redeemEnrollment(link.enrollmentUrl.split('/').pop()!, 'android')).rejects.toBeInstanceOf(NoAccess);
  });

  it('makes a link under PUBLIC_URL/enroll, valid 15 minutes, with a small 1-bit QR PNG of it', async () => {
    const link = await service.startEnrollment(T, 'alice');
    expect(link.enrollmentUrl).toMatch(/^https:\/\/switchboard\.example\/enroll\/[a-z2-7]{32}$/);
    expect(link.expiresAt.getTime()).toBe(now + 15 * 60_000);
    expect(link.qrPngDataUri).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(link.qrPngDataUri.slice('data:image/png;base64,'.length), 'base64');
    expect(png.length).toBeLessThan(4_000);
    const { width, bitDepth, colourType } = pngHeader(png);
    expect({ bitDepth, colourType }).toEqual({ bitDepth: 1, colourType: 0 });
    expect(width).toBeGreaterThanOrEqual(250);
    expect(width).toBeLessThanOrEqual(400);
  });

  it('draws exactly the QR symbol of the link, with a 4-module quiet zone', () => {
    const text = 'https://switchboard.example/enroll/abcdefghijklmnopqrstuvwxyz234567';
    const png = qrPng(text);
    const { width, pixels } = decodePng(png);
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const count = modules.size + 8;
    expect(width % count).toBe(0);
    const scale = width / count;
    for (let my = -4; my < modules.size + 4; my++) {
      for (let mx = -4; mx < modules.size + 4; mx++) {
        const inside = mx >= 0 && my >= 0 && mx < modules.size && my < modules.size;
        const dark = inside && modules.get(my, mx) === 1;
        const px = pixels((mx + 4) * scale + Math.floor(scale / 2), (my + 4) * scale + Math.floor(scale / 2));
        expect(px, `module ${mx},${my}`).toBe(dark ? 0 : 1);
      }
    }
  });

  it('the QR code decodes (zbarimg, Debian zbar-tools) to the enrollment link', async () => {
    if (!hasZbarimg()) throw new Error('zbarimg is not installed: run .ci/run, or apt-get install zbar-tools');
    const link = await service.startEnrollment(T, 'alice');
    const file = path.join(tmp.dir, 'qr.png');
    fs.writeFileSync(file, Buffer.from(link.qrPngDataUri.split(',')[1]!, 'base64'));
    const decoded = execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    expect(decoded).toBe(link.enrollmentUrl);
  });

  it('returns the secret once and stores only its hash: the SQLite files never contain it', async () => {
    const link = await service.startEnrollment(T, 'alice');
    const token = link.enrollmentUrl.split('/').pop()!;
    const redeemed = await service.redeemEnrollment(token, 'android');
    const added = await service.addDevice(T, 'alice', 'other', 'Work laptop');
    expect(added.device.name).toBe('Work laptop');
    await store.close();
    const files = fs.readdirSync(tmp.dir).filter((f) => f.startsWith('service.db')).map((f) => fs.readFileSync(path.join(tmp.dir, f)));
    const all = Buffer.concat(files);
    for (const c of [redeemed.credentials, added.credentials]) {
      expect(all.includes(c.password)).toBe(false);
      expect(all.includes(canonicalSecret(c.password)!)).toBe(false);
      expect(all.includes(c.password.toUpperCase())).toBe(false);
      // The anonymous id is stored (it is the user name); the secret's hash is there instead of it.
      expect(all.includes(c.deviceId)).toBe(true);
    }
    expect(all.includes(token)).toBe(false);
    open();
  });

  it('gives the credentials and CardDAV URLs of the device', async () => {
    const { credentials: c } = await service.addDevice(T, 'carol');
    expect(c).toEqual({
      deviceId: c.username,
      username: c.username,
      password: expect.stringMatching(/^([a-z2-7]{4}-){7}[a-z2-7]{4}$/),
      serverUrl: 'https://switchboard.example/',
      wellKnownUrl: 'https://switchboard.example/.well-known/carddav',
      principalUrl: `https://switchboard.example/dav/principals/${c.username}/`,
      addressBookHomeUrl: `https://switchboard.example/dav/addressbooks/${c.username}/`,
      addressBookUrl: `https://switchboard.example/dav/addressbooks/${c.username}/contacts/`,
    });
  });

  it('stops at the per-user device limit', async () => {
    // carol has one device; the test limit is 3.
    await service.addDevice(T, 'carol');
    await service.addDevice(T, 'carol');
    await expect(service.startEnrollment(T, 'carol')).rejects.toBeInstanceOf(TooManyDevices);
    const [first] = await service.listDevices(T, 'carol');
    await service.revokeDevice(T, 'carol', first!.id);
    await expect(service.startEnrollment(T, 'carol')).resolves.toBeDefined();
  });

  it('lists own devices, counts per user for admins, revokes all of a user\'s devices with an audit entry', async () => {
    const mine = await service.listDevices(T, 'alice');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toEqual({ id: expect.any(String), name: expect.any(String), platform: expect.any(String), createdAt: new Date(now), lastSeenAt: null, clientName: null });
    expect(await service.revokeDevice(T, 'carol', mine[0]!.id)).toBe(false);
    const counts = await service.deviceCounts(T);
    expect(counts.find((c) => c.userId === 'alice')?.devices).toBe(mine.length);
    expect(await service.revokeAllOf(T, 'alice', { id: 'admin-1', name: 'Ada Admin' })).toBe(mine.length);
    expect(await service.listDevices(T, 'alice')).toEqual([]);
    const [entry] = await store.audit.list(T);
    expect(entry).toMatchObject({ action: 'device.revoke-all', target: 'alice', actor: { id: 'admin-1', name: 'Ada Admin' }, after: { revoked: mine.length } });
  });
});

function hasZbarimg(): boolean {
  return spawnSync('zbarimg', ['--version']).status === 0;
}

function pngHeader(png: Buffer): { width: number; height: number; bitDepth: number; colourType: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24]!, colourType: png[25]! };
}

/** Reads back our own 1-bit, unfiltered PNG: enough to check every pixel. */
function decodePng(png: Buffer): { width: number; pixels: (x: number, y: number) => number } {
  const { width, height } = pngHeader(png);
  expect(height).toBe(width);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rowBytes = Math.ceil(width / 8);
  expect(raw.length).toBe((rowBytes + 1) * height);
  return { width, pixels: (x, y) => (raw[y * (rowBytes + 1) + 1 + (x >> 3)]! >> (7 - (x & 7))) & 1 };
}
