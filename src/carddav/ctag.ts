/**
 * The collection entity tag, CS:getctag (https://github.com/apple/ccs-calendarserver/blob/master/doc/Extensions/caldav-ctag.txt).
 *
 * Older sync strategies (Evolution's, and clients that predate RFC 6578) compare getctag first and
 * skip the whole listing when it did not change. It changes whenever any card of the book does.
 */
import type { DavPlugin, DavResource, DavServer } from './server.js';
import { escapeXml, NS_CALENDARSERVER, qn } from './xml.js';

export interface CTagCollection extends DavResource {
  getCTag(): Promise<string>;
}

const hasCTag = (r: DavResource): r is CTagCollection => typeof (r as Partial<CTagCollection>).getCTag === 'function';

export class CTagPlugin implements DavPlugin {
  readonly name = 'ctag';

  initialize(server: DavServer): void {
    server.defineProperty({ name: qn(NS_CALENDARSERVER, 'getctag'), get: async (r) => (hasCTag(r) ? escapeXml(await r.getCTag()) : undefined) });
  }
}
