import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { pino } from 'pino';
import type { AddressBookStore } from '../../src/carddav/address-book-store.js';
import { FeedAddressBookStore } from '../../src/carddav/feed-address-book.js';
import { carddavRoutes } from '../../src/carddav/routes.js';
import { parseXml, type XmlElement } from '../../src/carddav/xml.js';
import { syncDirectory } from '../../src/core/sync/directory-sync.js';
import { syncPhotos } from '../../src/core/sync/photo-sync.js';
import type { Policy } from '../../src/core/policy/policy.js';
import { loadPolicy, savePolicy } from '../../src/core/tenant-policy.js';
import { recomputeVisibility } from '../../src/core/visibility/recompute.js';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import type { DeviceAuthenticator, DevicePrincipal } from '../../src/devices/device-principal.js';
import { listen, type RunningServer } from '../../src/server/http-server.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ensureDevCertificates } from '../../src/tls/dev-certificates.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, TEST_APP, type RunningDevTenant } from '../helpers/dev-tenant.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { FetchPages } from '../core/sync/fetch-pages.js';

export { CONTOSO_TENANT_ID };

/**
 * A DeviceAuthenticator for tests: devices in a map, revocation, and a record of `touch` calls. The
 * real one (keyed hashes, rate limits) is another module's; CardDAV only needs the port.
 */
export class TestAuthenticator implements DeviceAuthenticator {
  private readonly devices = new Map<string, { password: string; principal: DevicePrincipal; revoked: boolean }>();
  readonly touched: { deviceId: string; userAgent: string | undefined }[] = [];
  rateLimited = new Set<string>();

  add(tenantId: string, userId: string): { username: string; password: string; principal: DevicePrincipal } {
    const deviceId = `dev-${randomBytes(6).toString('hex')}`;
    const password = randomBytes(16).toString('base64url');
    const principal = { deviceId, tenantId, userId };
    this.devices.set(deviceId, { password, principal, revoked: false });
    return { username: deviceId, password, principal };
  }

  revoke(deviceId: string): void {
    this.devices.get(deviceId)!.revoked = true;
  }

  async authenticate(username: string, password: string): Promise<DevicePrincipal | 'rate-limited' | undefined> {
    if (this.rateLimited.has(username)) return 'rate-limited';
    const d = this.devices.get(username);
    return d && !d.revoked && d.password === password ? d.principal : undefined;
  }

  async touch(principal: DevicePrincipal, userAgent: string | undefined): Promise<void> {
    this.touched.push({ deviceId: principal.deviceId, userAgent });
  }
}

export interface Device {
  username: string;
  password: string;
  principal: DevicePrincipal;
  /** `/dav/addressbooks/{id}/contacts/` */
  book: string;
  principalPath: string;
  home: string;
}

/**
 * The sample organisation of the dev tenant synced into a fresh SQLite store under a policy (as in
 * test/core/visibility), and the CardDAV router in front of it on a local port.
 */
export class CardDavFixture {
  dev!: RunningDevTenant;
  store!: Store;
  pages!: FetchPages;
  server!: RunningServer;
  baseUrl!: string;
  readonly auth = new TestAuthenticator();
  readonly cipher = new FieldCipher([randomBytes(32)]);
  readonly tmp = tempDir('carddav-');
  caFile: string | undefined;

  private dropDatabase: (() => Promise<void>) | undefined;

  static async start(
    options: {
      https?: boolean;
      postgres?: boolean;
      policy?: (p: Policy, group: (name: string) => string) => Policy;
      /** Wraps the feed's store adapter (to watch what the DAV layer reads). */
      books?: (store: AddressBookStore) => AddressBookStore;
    } = {},
  ): Promise<CardDavFixture> {
    const f = new CardDavFixture();
    f.dev = await startTestDevTenant();
    const tenant = f.dev.registry.findTenant(CONTOSO_TENANT_ID)!;
    const token = await f.dev.tokens.graphAccessToken({
      tenant,
      user: tenant.directory.getUser('ethan.walker@contoso.example')!,
      client: f.dev.registry.apps.get(TEST_APP.clientId)!,
      scopes: ['User.Read.All', 'GroupMember.Read.All'],
      roles: [],
    });
    f.pages = new FetchPages(`${f.dev.baseUrl}/v1.0`, async () => token);
    if (options.postgres) {
      const db = await createTestDatabase();
      f.dropDatabase = db.drop;
      f.store = openStore({ kind: 'postgres', url: db.url });
    } else {
      f.store = openStore({ kind: 'sqlite', path: `${f.tmp.dir}/carddav.db` });
    }
    await f.store.migrate();
    await f.store.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
    await f.sync();
    const edit = options.policy ?? ((p, g) => ({ ...p, groups: [g('Sales EU'), g('Sales NA'), g('Engineering')], hiddenFields: ['mobilePhone'] }));
    await f.savePolicy((p) => edit(p, (name) => f.group(name)));

    const app = express();
    const books = options.books?.(new FeedAddressBookStore({ db: f.store.db, cipher: f.cipher }));
    app.use(carddavRoutes({ authenticator: f.auth, db: f.store.db, cipher: f.cipher, publicUrl: 'https://switchboard.test', logger: pino({ level: 'silent' }), ...(books ? { books } : {}) }));
    let tls: { certPem: string; keyPem: string } | undefined;
    if (options.https) {
      const certs = ensureDevCertificates(path.join(f.tmp.dir, 'tls'), []);
      f.caFile = certs.caFile;
      tls = certs;
    }
    f.server = await listen(app, { host: '127.0.0.1', port: 0, ...(tls ? { tls } : {}) });
    f.baseUrl = `${options.https ? 'https://localhost' : 'http://127.0.0.1'}:${f.server.port}`;
    return f;
  }

  async stop(): Promise<void> {
    await this.server?.close(100);
    await this.store?.close();
    await this.dropDatabase?.();
    await this.dev?.stop();
    this.tmp.remove();
  }

  get truth() {
    return this.dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
  }

  user(upn: string): string {
    return this.truth.getUser(upn)!.id;
  }

  group(name: string): string {
    return [...this.truth.listGroups()].find((g) => g.displayName === name)!.id;
  }

  /** Changes the dev tenant's directory through its control API. */
  async control(p: string, init: { method: string; body?: unknown }): Promise<void> {
    const res = await fetch(`${this.dev.baseUrl}/_dev/tenants/${CONTOSO_TENANT_ID}${p}`, {
      method: init.method,
      headers: { 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    if (!res.ok) throw new Error(`control ${p}: ${res.status} ${await res.text()}`);
  }

  /** One sync round as the scheduler runs it: directory delta, photos of changed users, visibility. */
  async sync(): Promise<void> {
    const deps = { db: this.store.db, cipher: this.cipher };
    const changes = await syncDirectory({ ...deps, pages: this.pages }, CONTOSO_TENANT_ID);
    await syncPhotos({ ...deps, pages: this.pages }, CONTOSO_TENANT_ID, changes.changedUsers);
    const { policy } = await loadPolicy(deps, CONTOSO_TENANT_ID);
    await recomputeVisibility(deps, CONTOSO_TENANT_ID, policy, { changedUsers: changes.changedUsers, allContent: false });
  }

  async savePolicy(edit: (p: Policy) => Policy): Promise<void> {
    const deps = { db: this.store.db, cipher: this.cipher };
    const { policy, version } = await loadPolicy(deps, CONTOSO_TENANT_ID);
    await savePolicy(deps, CONTOSO_TENANT_ID, edit(structuredClone(policy)), version, { id: 'admin', name: 'Admin' });
  }

  /** A device enrolled for this user, with its paths. */
  device(upn: string): Device {
    const d = this.auth.add(CONTOSO_TENANT_ID, this.user(upn));
    const id = d.username;
    return { ...d, book: `/dav/addressbooks/${id}/contacts/`, principalPath: `/dav/principals/${id}/`, home: `/dav/addressbooks/${id}/` };
  }

  /** A DAV request; `device` supplies Basic credentials. */
  request(method: string, p: string, options: { device?: Device; body?: string | Buffer; depth?: string; headers?: Record<string, string>; redirect?: 'manual' | 'follow' | 'error' } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.device) headers.authorization = `Basic ${Buffer.from(`${options.device.username}:${options.device.password}`).toString('base64')}`;
    if (options.depth !== undefined) headers.depth = options.depth;
    if (options.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/xml; charset=utf-8';
    return fetch(`${this.baseUrl}${p}`, { method, headers, body: options.body, redirect: options.redirect ?? 'manual' });
  }
}

export interface PropstatResult {
  status: string;
  props: Map<string, XmlElement>;
}

export interface MultistatusResponse {
  href: string;
  status: string | undefined;
  propstats: PropstatResult[];
  /** The property of the 200 propstat, by `{ns}local`. */
  ok: Map<string, XmlElement>;
  /** Names of properties reported 404. */
  missing: string[];
}

export interface Multistatus {
  responses: MultistatusResponse[];
  syncToken: string | undefined;
  byHref: Map<string, MultistatusResponse>;
}

/** Parses a 207 body (checked to be one) into responses. */
export async function multistatus(res: Response): Promise<Multistatus> {
  const text = await res.text();
  if (res.status !== 207) throw new Error(`expected 207, got ${res.status}: ${text}`);
  const root = parseXml(Buffer.from(text), { maxElements: 10_000_000, maxDepth: 64 });
  if (root.ns !== 'DAV:' || root.local !== 'multistatus') throw new Error(`not a multistatus: ${text.slice(0, 200)}`);
  const responses = root.children
    .filter((c) => c.local === 'response' && c.ns === 'DAV:')
    .map((r) => {
      const href = r.children.find((c) => c.local === 'href')!.text;
      const status = r.children.find((c) => c.local === 'status')?.text;
      const propstats = r.children
        .filter((c) => c.local === 'propstat')
        .map((ps) => ({
          status: ps.children.find((c) => c.local === 'status')!.text,
          props: new Map(ps.children.find((c) => c.local === 'prop')!.children.map((p) => [`{${p.ns}}${p.local}`, p])),
        }));
      const ok = propstats.find((p) => p.status === 'HTTP/1.1 200 OK')?.props ?? new Map<string, XmlElement>();
      const missing = propstats.filter((p) => p.status === 'HTTP/1.1 404 Not Found').flatMap((p) => [...p.props.keys()]);
      return { href, status, propstats, ok, missing };
    });
  const syncToken = root.children.find((c) => c.local === 'sync-token' && c.ns === 'DAV:')?.text;
  return { responses, syncToken, byHref: new Map(responses.map((r) => [r.href, r])) };
}

export const DAV = (local: string) => `{DAV:}${local}`;
export const CARD = (local: string) => `{urn:ietf:params:xml:ns:carddav}${local}`;
export const CS = (local: string) => `{http://calendarserver.org/ns/}${local}`;

export interface ParsedCard {
  FN: string[];
  N: { family: string; given: string }[];
  UID: string[];
  EMAIL?: string[];
  TEL?: string[];
  TITLE?: string[];
  ORG?: string[][];
  ADR?: { street: string; city: string; country: string }[];
  PHOTO?: number[];
  REV?: string[];
  [name: string]: unknown;
}

const VOBJECT_SCRIPT = String.raw`
import sys, json, vobject
out = []
for text in json.load(sys.stdin):
    cards = list(vobject.readComponents(text, validate=True))
    assert len(cards) == 1, 'exactly one card per text'
    card = cards[0]
    props = {}
    for child in card.getChildren():
        v = child.value
        if child.name == 'N':
            v = {'family': v.family, 'given': v.given}
        elif child.name == 'ADR':
            v = {'street': v.street, 'city': v.city, 'country': v.country}
        elif child.name == 'PHOTO':
            v = len(v)
        elif not isinstance(v, (str, list)):
            v = str(v)
        props.setdefault(child.name, []).append(v)
    out.append(props)
print(json.dumps(out))
`;

/**
 * Parses vCards with Python's vobject (Debian python3-vobject), the third-party parser khard uses.
 * Debian's interpreter is called by path: a pyenv python on PATH would not see the Debian module.
 */
export function vobjectParse(cards: string[]): ParsedCard[] {
  const run = spawnSync('/usr/bin/python3', ['-c', VOBJECT_SCRIPT], { input: JSON.stringify(cards), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`vobject refused the cards: ${run.stderr}`);
  return JSON.parse(run.stdout) as ParsedCard[];
}

/** Structural checks vobject is lenient about: CRLF everywhere, no physical line over 75 octets. */
export function checkVCardLines(card: string): void {
  if (!card.endsWith('\r\n')) throw new Error('card does not end with CRLF');
  for (const line of card.slice(0, -2).split('\r\n')) {
    if (line.includes('\n') || line.includes('\r')) throw new Error(`bare line break in ${JSON.stringify(line)}`);
    if (Buffer.byteLength(line) > 75) throw new Error(`line over 75 octets: ${JSON.stringify(line)}`);
  }
}

/** Request bodies of real clients, reproduced from their source (see the test files for where). */
export const xml = (s: string) => s.replace(/^\n/, '');
