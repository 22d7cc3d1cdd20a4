/**
 * WebDAV core (https://www.rfc-editor.org/rfc/rfc4918): OPTIONS, PROPFIND at Depth 0 and 1, GET and
 * HEAD, REPORT dispatch (https://www.rfc-editor.org/rfc/rfc3253#section-3.6), and the core live
 * properties. Imports nothing protocol-specific: CardDAV, sync and ACL plug in through DavServer.
 */
import { DavError, davCondition } from './dav-error.js';
import { joinXml, MULTISTATUS_CONTENT_TYPE, writeMultistatus } from './multistatus.js';
import type { DavContext, DavPlugin, DavServer, PropRequest } from './server.js';
import { child, clark, dav, element, escapeXml, NS_DAV, type XmlElement } from './xml.js';

/** What every resource here answers; writes are refused (acl.ts) and so not advertised. */
export const READ_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PROPFIND', 'REPORT'];

/** Members written per batch in a Depth: 1 listing; each batch is preloaded together. */
const PAGE = 500;

export class WebDavPlugin implements DavPlugin {
  readonly name = 'webdav';
  private server!: DavServer;

  initialize(server: DavServer): void {
    this.server = server;
    server.on('PROPFIND', (ctx) => this.propfind(ctx));
    server.on('GET', (ctx) => this.get(ctx, true));
    server.on('HEAD', (ctx) => this.get(ctx, false));
    server.on('REPORT', (ctx) => this.report(ctx));
    server.defineProperty({ name: { ns: NS_DAV, local: 'resourcetype' }, allprop: true, get: (r) => r.resourceTypes.map((t) => element(t)).join('') });
    server.defineProperty({
      name: { ns: NS_DAV, local: 'displayname' },
      allprop: true,
      get: async (r) => {
        const name = await r.displayName?.();
        return name === undefined ? undefined : escapeXml(name);
      },
    });
    server.defineProperty({ name: { ns: NS_DAV, local: 'getetag' }, allprop: true, get: (r) => (r.etag === undefined ? undefined : escapeXml(r.etag)) });
    server.defineProperty({ name: { ns: NS_DAV, local: 'getcontenttype' }, allprop: true, get: (r) => (r.contentType === undefined ? undefined : escapeXml(r.contentType)) });
    // RFC 3253 §3.1.5, each report as <supported-report><report>…</report></supported-report>:
    // DAVx5 reads only that shape.
    server.defineProperty({
      name: { ns: NS_DAV, local: 'supported-report-set' },
      get: (r) => server.supportedReports(r).map((q) => dav('supported-report', dav('report', element(q)))).join(''),
    });
  }

  getFeatures(): string[] {
    // Class 1 and 3 (RFC 4918 §18); no class 2: nothing here can be locked.
    return ['1', '3'];
  }

  private async propfind(ctx: DavContext): Promise<void> {
    const depth = parseDepth(ctx.req.headers.depth);
    if (depth === 'infinity') {
      throw new DavError(403, 'PROPFIND with Depth: infinity (or without a Depth header) is not supported; use Depth: 0 or 1.', { condition: davCondition('propfind-finite-depth') });
    }
    const request = parsePropfind(await ctx.xml());
    const target = await ctx.target();
    const sink = ctx.stream(207, MULTISTATUS_CONTENT_TYPE);
    const server = this.server;
    await writeMultistatus(sink, async function* () {
      await server.preload([target], request, ctx);
      yield await server.responseXml(target, request, ctx);
      if (depth === '1' && target.members) {
        for await (const page of pages(target.members(), PAGE)) {
          await server.preload(page, request, ctx);
          yield await joinXml(page, (member) => server.responseXml(member, request, ctx));
        }
      }
    });
  }

  private async get(ctx: DavContext, withBody: boolean): Promise<void> {
    const target = await ctx.target();
    if (!target.read) throw new DavError(405, 'This is a collection: open it with a CardDAV client.', { headers: { Allow: 'OPTIONS, PROPFIND, REPORT' } });
    const { body, contentType, etag } = await target.read();
    const res = ctx.res;
    res.setHeader('Cache-Control', 'private, no-cache');
    if (etag) {
      res.setHeader('ETag', etag);
      const ifNoneMatch = ctx.req.headers['if-none-match'];
      if (ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))) {
        res.status(304).end();
        return;
      }
    }
    res.status(200).setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(withBody ? body : undefined);
  }

  private async report(ctx: DavContext): Promise<void> {
    const body = await ctx.xml();
    if (!body) throw new DavError(400, 'A REPORT needs an XML body naming the report.');
    const target = await ctx.target();
    const handler = this.server.report(body);
    const supported = this.server.supportedReports(target).some((q) => clark(q) === clark(body));
    if (!handler || !supported) {
      throw new DavError(403, `The report {${body.ns}}${body.local} is not supported on this resource.`, { condition: davCondition('supported-report') });
    }
    await handler(ctx, target, body);
  }
}

/** Depth header (RFC 4918 §10.2); a missing header means infinity (§9.1). */
export function parseDepth(header: string | string[] | undefined): '0' | '1' | 'infinity' {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (value === undefined || value === 'infinity') return 'infinity';
  if (value === '0' || value === '1') return value;
  throw new DavError(400, `Invalid Depth header "${value}": use 0, 1 or infinity.`);
}

/** The body of a PROPFIND (RFC 4918 §14.20); an empty body asks for allprop (§9.1). */
export function parsePropfind(body: XmlElement | undefined): PropRequest {
  if (!body) return { kind: 'allprop', include: [] };
  if (body.ns !== NS_DAV || body.local !== 'propfind') throw new DavError(400, 'A PROPFIND body must be a DAV:propfind element.');
  return parsePropRequest(body) ?? failNoProps();
}

/** DAV:prop, DAV:allprop (with DAV:include) or DAV:propname inside a request element. */
export function parsePropRequest(el: XmlElement): PropRequest | undefined {
  const prop = child(el, NS_DAV, 'prop');
  if (prop) return { kind: 'prop', props: prop.children };
  if (child(el, NS_DAV, 'allprop')) return { kind: 'allprop', include: child(el, NS_DAV, 'include')?.children ?? [] };
  if (child(el, NS_DAV, 'propname')) return { kind: 'propname' };
  return undefined;
}

function failNoProps(): never {
  throw new DavError(400, 'A DAV:propfind body needs DAV:prop, DAV:allprop or DAV:propname.');
}

/** Regroups pages of any size into pages of at most `size`. */
export async function* pages<T>(source: AsyncIterable<T[]>, size: number): AsyncIterable<T[]> {
  let buffer: T[] = [];
  for await (const page of source) {
    for (const item of page) {
      buffer.push(item);
      if (buffer.length >= size) {
        yield buffer;
        buffer = [];
      }
    }
  }
  if (buffer.length > 0) yield buffer;
}

