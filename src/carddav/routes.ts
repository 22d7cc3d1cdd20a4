/**
 * The CardDAV surface as an express router: `/.well-known/carddav` and everything under `/dav`.
 * This is the composition of the module: the DAV server with its plugins, the storage adapter,
 * device authentication, bounded bodies and the one error renderer. Mount it at the app root.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { DeviceAuthenticator, DevicePrincipal } from '../devices/device-principal.js';
import type { Logger } from '../log/logger.js';
import type { DatabaseSchema } from '../store/schema.js';
import { AclPlugin } from './acl.js';
import type { AddressBookStore } from './address-book-store.js';
import { authenticateDevice } from './basic-auth.js';
import { CardCache, DEFAULT_CARD_CACHE_BYTES } from './card-cache.js';
import { CardDavPlugin } from './carddav.js';
import { CTagPlugin } from './ctag.js';
import { DavError, davErrorHandler } from './dav-error.js';
import { FeedAddressBookStore } from './feed-address-book.js';
import { acceptsGzip, DEFAULT_BODY_LIMITS, readBody, ResponseSink, type BodyLimits } from './http-io.js';
import { DeviceTree } from './resources.js';
import { DavServer, type DavContext } from './server.js';
import { SyncPlugin } from './sync.js';
import { WebDavPlugin } from './webdav.js';
import { WELL_KNOWN_CARDDAV, wellKnownRedirect } from './well-known.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlElement, type XmlLimits } from './xml.js';

export interface CardDavDeps {
  authenticator: DeviceAuthenticator;
  db: Kysely<DatabaseSchema>;
  cipher: FieldCipher;
  /** The service's public base URL (no trailing slash); sync tokens are URIs under it. */
  publicUrl: string;
  logger: Logger;
  /** Replaces the store adapter (tests); by default the sync core's feed over `db`. */
  books?: AddressBookStore;
  /** Memory for serialized cards shared by all devices (card-cache.ts); 0 turns it off. */
  cardCacheBytes?: number;
  limits?: { body?: Partial<BodyLimits>; xml?: Partial<XmlLimits> };
}

/** The DAV server with every plugin this service uses. */
export function createDavServer(): DavServer {
  return new DavServer().addPlugin(new WebDavPlugin()).addPlugin(new AclPlugin()).addPlugin(new CardDavPlugin()).addPlugin(new SyncPlugin()).addPlugin(new CTagPlugin());
}

export function carddavRoutes(deps: CardDavDeps): Router {
  const server = createDavServer();
  const books = deps.books ?? new FeedAddressBookStore({ db: deps.db, cipher: deps.cipher });
  const cards = new CardCache(deps.cardCacheBytes ?? DEFAULT_CARD_CACHE_BYTES);
  const bodyLimits = { ...DEFAULT_BODY_LIMITS, ...deps.limits?.body };
  const xmlLimits = { ...DEFAULT_XML_LIMITS, ...deps.limits?.xml };
  const davHeader = server.features().join(', ');
  const allow = server.allowedMethods().join(', ');
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');

  const router = express.Router();
  router.all([WELL_KNOWN_CARDDAV, `${WELL_KNOWN_CARDDAV}/`], wellKnownRedirect);

  router.use('/dav', async (req: Request, res: Response) => {
    res.setHeader('DAV', davHeader);
    // OPTIONS needs no credentials: it tells nothing about anyone (DAVx5 probes the principal with it).
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      res.status(200).setHeader('Content-Length', '0');
      res.end();
      return;
    }
    const principal = await authenticateDevice(deps.authenticator, req);
    await deps.authenticator.touch(principal, req.headers['user-agent']);
    const tree = new DeviceTree(principal, () => books.open(principal), publicUrl, cards);
    const ctx = context(req, res, principal, tree, { bodyLimits, xmlLimits, log: req.log ?? deps.logger });
    await server.handle(ctx);
  });
  router.use('/dav', davErrorHandler(deps.logger));
  return router;
}

function context(req: Request, res: Response, principal: DevicePrincipal, tree: DeviceTree, options: { bodyLimits: BodyLimits; xmlLimits: XmlLimits; log: Logger }): DavContext {
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.originalUrl, 'http://host/').pathname);
  } catch (err) {
    throw new DavError(400, 'The request path is not valid percent-encoded UTF-8.', { cause: err });
  }
  let body: Promise<Buffer> | undefined;
  let xml: Promise<XmlElement | undefined> | undefined;
  const ctx: DavContext = {
    req,
    res,
    method: req.method.toUpperCase(),
    path,
    principal,
    principalHref: tree.paths.principal,
    homeHref: tree.paths.home,
    log: options.log,
    target: async () => {
      const resource = await tree.resolve(path);
      if (!resource) throw new DavError(404, 'Nothing here: check the address book URL.');
      return resource;
    },
    body: () => (body ??= readBody(req, req.method === 'REPORT' ? options.bodyLimits.report : options.bodyLimits.other)),
    xml: () =>
      (xml ??= ctx.body().then((b) => {
        // An empty body (or only whitespace) is "no body": PROPFIND then means allprop.
        if (b.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d)) return undefined;
        return parseXml(b, options.xmlLimits);
      })),
    stream: (status, contentType) => {
      const gzip = acceptsGzip(req);
      res.status(status).setHeader('Content-Type', contentType);
      res.setHeader('Vary', 'Accept-Encoding');
      if (gzip) res.setHeader('Content-Encoding', 'gzip');
      return new ResponseSink(res, gzip);
    },
  };
  return ctx;
}
