import { parseXml, type XmlElement } from '../../../src/carddav/xml.js';
import type { DeviceLogin } from './product.js';

const NS = 'xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"';
const CARD_DATA = '{urn:ietf:params:xml:ns:carddav}address-data';

export interface SyncStats {
  requests: number;
  changed: number;
  removed: number;
  /** The server refused the token (valid-sync-token) and the client started over, as DAVx5 does. */
  restarted: boolean;
}

interface Answer {
  href: string;
  status: string | undefined;
  etag: string | undefined;
  data: string | undefined;
}

/**
 * An incremental CardDAV client that behaves like DAVx5: sync-collection from its last token
 * (getetag only), multiget of what changed in batches, removal of what the server reports gone, and a
 * full resync when the server refuses the token. Its local copy (`cards`) is what a phone would hold.
 * Used where vdirsyncer (a process per sync) would be too slow: many devices, many rounds.
 */
export class DavSyncClient {
  token: string | undefined;
  readonly cards = new Map<string, { etag: string; data: string }>();

  constructor(
    private base: string,
    readonly login: DeviceLogin,
    private readonly options: { multigetBatch?: number; timeoutMs?: number } = {},
  ) {}

  setBase(base: string): void {
    this.base = base;
  }

  private async report(body: string): Promise<{ status: number; root: XmlElement | undefined; text: string }> {
    const res = await fetch(`${this.base}${this.login.book}`, {
      method: 'REPORT',
      headers: { authorization: `Basic ${Buffer.from(`${this.login.username}:${this.login.password}`).toString('base64')}`, depth: '1', 'content-type': 'application/xml; charset=utf-8', 'user-agent': 'resilience-suite (DAVx5-like)' },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    const text = await res.text();
    return { status: res.status, text, root: res.status === 207 ? parseXml(Buffer.from(text), { maxElements: 10_000_000, maxDepth: 64 }) : undefined };
  }

  private static answers(root: XmlElement): { answers: Answer[]; token: string | undefined } {
    const answers = root.children
      .filter((c) => c.ns === 'DAV:' && c.local === 'response')
      .map((r) => {
        const href = decodeURIComponent(r.children.find((c) => c.local === 'href')!.text);
        const status = r.children.find((c) => c.local === 'status')?.text;
        let etag: string | undefined;
        let data: string | undefined;
        for (const ps of r.children.filter((c) => c.local === 'propstat')) {
          if (!ps.children.find((c) => c.local === 'status')?.text.includes(' 200 ')) continue;
          for (const prop of ps.children.find((c) => c.local === 'prop')?.children ?? []) {
            if (prop.ns === 'DAV:' && prop.local === 'getetag') etag = prop.text;
            if (`{${prop.ns}}${prop.local}` === CARD_DATA) data = prop.text;
          }
        }
        return { href, status, etag, data };
      });
    return { answers, token: root.children.find((c) => c.ns === 'DAV:' && c.local === 'sync-token')?.text };
  }

  /** One sync of the device; throws on anything a real client could not carry on from. */
  async sync(): Promise<SyncStats> {
    const stats: SyncStats = { requests: 0, changed: 0, removed: 0, restarted: false };
    let r = await this.report(`<d:sync-collection ${NS}><d:sync-token>${this.token ?? ''}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`);
    stats.requests++;
    if ((r.status === 403 || r.status === 400) && r.text.includes('valid-sync-token') && this.token !== undefined) {
      stats.restarted = true;
      this.token = undefined;
      r = await this.report(`<d:sync-collection ${NS}><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`);
      stats.requests++;
    }
    if (!r.root) throw new Error(`sync-collection of ${this.login.username}: ${r.status} ${r.text.slice(0, 300)}`);
    const { answers, token } = DavSyncClient.answers(r.root);
    const full = this.token === undefined;
    const listed = new Set<string>();
    const fetchHrefs: string[] = [];
    for (const a of answers) {
      if (a.status?.includes(' 404 ')) {
        if (this.cards.delete(a.href)) stats.removed++;
        continue;
      }
      listed.add(a.href);
      if (a.etag !== undefined && this.cards.get(a.href)?.etag !== a.etag) fetchHrefs.push(a.href);
    }
    // A full listing is the whole book: what it does not list is gone.
    if (full) for (const href of [...this.cards.keys()]) if (!listed.has(href) && this.cards.delete(href)) stats.removed++;
    const batch = this.options.multigetBatch ?? 100;
    for (let i = 0; i < fetchHrefs.length; i += batch) {
      const hrefs = fetchHrefs.slice(i, i + batch);
      const mg = await this.report(`<card:addressbook-multiget ${NS}><d:prop><d:getetag/><card:address-data/></d:prop>${hrefs.map((h) => `<d:href>${h}</d:href>`).join('')}</card:addressbook-multiget>`);
      stats.requests++;
      if (!mg.root) throw new Error(`multiget of ${this.login.username}: ${mg.status} ${mg.text.slice(0, 300)}`);
      for (const a of DavSyncClient.answers(mg.root).answers) {
        // Gone between the listing and the multiget: the next sync reports it removed.
        if (a.data === undefined || a.etag === undefined) continue;
        this.cards.set(a.href, { etag: a.etag, data: a.data });
        stats.changed++;
      }
    }
    if (!token) throw new Error(`no sync-token in the answer for ${this.login.username}`);
    this.token = token;
    return stats;
  }

  /** The local copy as vCard texts. */
  cardTexts(): string[] {
    return [...this.cards.values()].map((c) => c.data);
  }
}
