/**
 * Collection synchronization (https://www.rfc-editor.org/rfc/rfc6578): the DAV:sync-token property
 * and the DAV:sync-collection report, on any resource that implements SyncCollection.
 *
 * Unusable tokens. RFC 6578 §3.2 says 403 with the DAV:valid-sync-token precondition, and DAVx5 and
 * Apple's clients restart with a full sync on that. Thunderbird, though, only recovers from a 400
 * (CardDAVDirectory.updateAllFromServerV2 treats 400 as "start again" and any other error as a failed
 * sync, so a 403 would leave it failing every time until the account is re-created). So the same
 * precondition body goes out as 400 to Thunderbird (recognised by its User-Agent) and as 403 to
 * everyone else. DAVx5 looks at the error element, not the status, so either works for it.
 */
import { DavError, davCondition } from './dav-error.js';
import { joinXml, MULTISTATUS_CONTENT_TYPE, statusXml, writeMultistatus } from './multistatus.js';
import type { DavContext, DavPlugin, DavResource, DavServer, PropRequest } from './server.js';
import { pages, parsePropRequest } from './webdav.js';
import { child, escapeXml, NS_DAV, qn, type QName, type XmlElement } from './xml.js';

const SYNC_COLLECTION: QName = qn(NS_DAV, 'sync-collection');
const PAGE = 500;

/**
 * A collection that can say what changed since a token (sabre's ISyncCollection).
 *
 * Tokens are URIs (RFC 6578 §4) the collection mints and alone understands; clients keep them for
 * months. `getChanges(undefined)` is the initial sync: every member, and a token for next time.
 */
export interface SyncCollection extends DavResource {
  readonly syncCollection: true;
  /** The token of the collection's current state. */
  getSyncToken(): Promise<string>;
  /**
   * What changed since `token`.
   *
   * - `changed`: current members that were added or changed since the token (every member when the
   *   token is undefined), in pages, each member once. A member whose data vanished before it could
   *   be read is reported by its `gone` flag and answered as removed.
   * - `removed`: hrefs of members removed since the token (left the address book, or deleted).
   * - `syncToken()`: the token for the next call, read once `changed` has been consumed; it covers
   *   exactly what this answer contains, so a change made while the answer is produced is reported
   *   (again) next time, never lost.
   * - `truncated()`: whether the answer was cut at `limit` members (also read after `changed`);
   *   `syncToken()` then continues after the cut.
   *
   * Throws InvalidSyncToken when the token was not minted here, belongs to another state of the
   * collection the client can no longer continue from, or is too old.
   */
  getChanges(token: string | undefined, limit?: number): Promise<SyncChanges>;
}

export interface SyncChanges {
  changed: AsyncIterable<(DavResource & { gone?: boolean })[]>;
  removed: string[];
  syncToken(): string;
  truncated(): boolean;
}

/** Capability error: the token cannot be continued from (translated to valid-sync-token here). */
export class InvalidSyncToken extends Error {
  constructor(
    readonly token: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Sync token ${token} cannot be used: ${reason}`, options);
    this.name = 'InvalidSyncToken';
  }
}

export const isSyncCollection = (r: DavResource): r is SyncCollection => (r as Partial<SyncCollection>).syncCollection === true;

/** 400 for Thunderbird, which recovers only from that; 403 as RFC 6578 §3.2 says for everyone else. */
export function invalidTokenStatus(userAgent: string | undefined): 400 | 403 {
  return userAgent && /\b(Thunderbird|Betterbird)\//.test(userAgent) ? 400 : 403;
}

export class SyncPlugin implements DavPlugin {
  readonly name = 'sync';
  private server!: DavServer;

  initialize(server: DavServer): void {
    this.server = server;
    server.onReport(SYNC_COLLECTION, (ctx, r, body) => this.syncCollection(ctx, r, body));
    server.defineProperty({
      name: qn(NS_DAV, 'sync-token'),
      get: async (r) => (isSyncCollection(r) ? escapeXml(await r.getSyncToken()) : undefined),
    });
  }

  getSupportedReports(resource: DavResource): QName[] {
    return isSyncCollection(resource) ? [SYNC_COLLECTION] : [];
  }

  /** RFC 6578 §3.2. The Depth header is ignored: Thunderbird sends 1, DAVx5 0, the RFC says 0. */
  private async syncCollection(ctx: DavContext, target: DavResource, body: XmlElement): Promise<void> {
    if (!isSyncCollection(target)) throw new DavError(403, 'sync-collection is answered on the address book.', { condition: davCondition('supported-report') });
    const tokenEl = child(body, NS_DAV, 'sync-token');
    if (!tokenEl) throw new DavError(400, 'A sync-collection request needs a DAV:sync-token element (empty for the first sync).');
    const token = tokenEl.text.trim() || undefined;
    const level = child(body, NS_DAV, 'sync-level')?.text.trim() ?? '1';
    // "infinite" means the same here: an address book has no child collections (§3.3).
    if (level !== '1' && level !== 'infinite') throw new DavError(400, `Invalid sync-level "${level}": use 1 or infinite.`);
    const limitEl = child(body, NS_DAV, 'limit');
    const nresults = limitEl && child(limitEl, NS_DAV, 'nresults')?.text.trim();
    const limit = nresults ? Number(nresults) : undefined;
    if (limit !== undefined && !(limit > 0)) throw new DavError(400, 'DAV:nresults must be a positive number.');
    const request: PropRequest = parsePropRequest(body) ?? { kind: 'prop', props: [] };

    let changes: SyncChanges;
    try {
      changes = await target.getChanges(token, limit);
    } catch (err) {
      if (!(err instanceof InvalidSyncToken)) throw err;
      throw new DavError(invalidTokenStatus(ctx.req.headers['user-agent']), 'The sync token cannot be used any more: sync again from an empty token.', {
        condition: davCondition('valid-sync-token'),
        cause: err,
      });
    }

    const server = this.server;
    await writeMultistatus(
      ctx.stream(207, MULTISTATUS_CONTENT_TYPE),
      async function* () {
        for await (const page of pages(changes.changed, PAGE)) {
          await server.preload(page, request, ctx);
          yield await joinXml(page, (member) => (member.gone ? statusXml(member.href, 404) : server.responseXml(member, request, ctx)));
        }
        let out = '';
        for (const href of changes.removed) out += statusXml(href, 404);
        // §3.6: a truncated answer carries a 507 response for the collection itself.
        if (changes.truncated()) out += statusXml(target.href, 507);
        yield out;
      },
      () => changes.syncToken(),
    );
  }
}
