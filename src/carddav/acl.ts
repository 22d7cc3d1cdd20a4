/**
 * Access control as far as a read-only book needs it: https://www.rfc-editor.org/rfc/rfc3744
 * (current-user-privilege-set, principal-URL, the need-privileges error) and
 * https://www.rfc-editor.org/rfc/rfc5397 (current-user-principal).
 *
 * Devices only read. Clients decide whether to offer editing from current-user-privilege-set
 * (Thunderbird, Evolution and DAVx5 all read it), and every write is refused with 403 and the
 * privilege it would need, so a client that tries anyway shows a permission error instead of
 * retrying forever.
 */
import { DavError, davCondition } from './dav-error.js';
import type { DavContext, DavPlugin, DavResource, DavServer } from './server.js';
import { dav, escapeXml, NS_DAV } from './xml.js';

/** A principal resource (RFC 3744 §2): its own URL is its principal-URL. */
export interface PrincipalResource extends DavResource {
  readonly principal: true;
}

export const isPrincipal = (r: DavResource): r is PrincipalResource => (r as Partial<PrincipalResource>).principal === true;

/** The privilege each write method would need (RFC 3744 §7.1.1 and Appendix B). */
const WRITE_PRIVILEGES: Record<string, { privilege: string; onParent: boolean }> = {
  PUT: { privilege: 'write-content', onParent: false },
  POST: { privilege: 'bind', onParent: false },
  DELETE: { privilege: 'unbind', onParent: true },
  PROPPATCH: { privilege: 'write-properties', onParent: false },
  MKCOL: { privilege: 'bind', onParent: true },
  MKCALENDAR: { privilege: 'bind', onParent: true },
  MOVE: { privilege: 'unbind', onParent: true },
  COPY: { privilege: 'bind', onParent: true },
  ACL: { privilege: 'write-acl', onParent: false },
};

export class AclPlugin implements DavPlugin {
  readonly name = 'acl';

  initialize(server: DavServer): void {
    for (const method of Object.keys(WRITE_PRIVILEGES)) server.on(method, (ctx) => refuseWrite(ctx), { advertised: false });
    server.defineProperty({ name: { ns: NS_DAV, local: 'current-user-principal' }, get: (_r, ctx) => dav('href', escapeXml(ctx.principalHref)) });
    server.defineProperty({ name: { ns: NS_DAV, local: 'principal-URL' }, get: (r) => (isPrincipal(r) ? dav('href', escapeXml(r.href)) : undefined) });
    server.defineProperty({ name: { ns: NS_DAV, local: 'owner' }, get: (_r, ctx) => dav('href', escapeXml(ctx.principalHref)) });
    // Read only: `read` and the right to read this very property (RFC 3744 §3.7).
    server.defineProperty({
      name: { ns: NS_DAV, local: 'current-user-privilege-set' },
      get: () => ['read', 'read-current-user-privilege-set'].map((p) => dav('privilege', dav(p))).join(''),
    });
  }
}

async function refuseWrite(ctx: DavContext): Promise<never> {
  const { privilege, onParent } = WRITE_PRIVILEGES[ctx.method]!;
  const href = onParent ? parentOf(ctx.path) : ctx.path;
  // A refused upload is not read: close the connection rather than drain a body nobody wants.
  const hasBody = Number(ctx.req.headers['content-length'] ?? 0) > 0 || ctx.req.headers['transfer-encoding'] !== undefined;
  throw new DavError(403, `This address book is read-only: ${ctx.method} is not allowed. Contacts come from the company directory.`, {
    ...(hasBody ? { headers: { Connection: 'close' } } : {}),
    condition: davCondition('need-privileges', dav('resource', dav('href', escapeXml(encodePath(href))) + dav('privilege', dav(privilege)))),
  });
}

const parentOf = (path: string) => path.replace(/[^/]+\/?$/, '');

export const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');
