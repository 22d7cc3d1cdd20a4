import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { DirectoryViews } from '../core/directory/directory-views.js';
import type { DirectoryView } from '../core/directory/directory-view.js';
import { DirectoryRepository } from '../store/directory-repository.js';
import type { Store } from '../store/store.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { callerOf } from './auth/with-tab-auth.js';
import { HttpError } from './errors.js';
import type { DirectoryContact, DirectoryResponse } from './tab-api-types.js';

const MAX_LIMIT = 500;

const filterValue = z.string().trim().min(1).max(256).optional();
const directoryQuery = z.strictObject({
  q: z.string().max(200, 'the search is limited to 200 characters').optional(),
  department: filterValue,
  office: filterValue,
  group: filterValue,
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
});

// Entra object ids are GUIDs; anything else cannot name a contact and is refused before any lookup.
const contactId = z.guid();

// Only image types a browser renders as an image; anything else from Graph is not served as-is.
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * The directory the caller may see: GET /directory (search, filters, paging), /directory/{id} and
 * /directory/{id}/photo. Everything comes from the caller's audience view, so a contact outside it
 * answers 404 exactly like one that does not exist. A caller who receives no contacts gets 403 NoAccess.
 */
export function directoryRoutes(deps: { store: Store; cipher: FieldCipher; views: DirectoryViews }): Router {
  const router = Router();

  const viewOf = async (req: Request): Promise<DirectoryView> => {
    const caller = callerOf(req)!;
    const view = await deps.views.forUser(caller.tenantId, caller.userId);
    if (!view) throw new HttpError(403, 'NoAccess', 'You are not in any group your administrator chose to receive the company directory. Ask your Teams or IT administrator to add you.');
    return view;
  };

  const contactOf = async (req: Request) => {
    const id = contactId.safeParse(req.params.id);
    const view = await viewOf(req);
    const contact = id.success ? view.get(id.data.toLowerCase()) : undefined;
    if (!contact) throw new HttpError(404, 'ContactNotFound', 'There is no contact with this id in your directory.');
    return contact;
  };

  router.get('/directory', async (req, res) => {
    const parsed = directoryQuery.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, 'BadRequest', `Invalid directory query: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`);
    const { cursor, ...query } = parsed.data;
    const view = await viewOf(req);
    const page = view.search({ ...query, offset: cursor === undefined ? 0 : decodeCursor(cursor) });
    const body: DirectoryResponse = {
      contacts: page.contacts satisfies DirectoryContact[],
      total: page.total,
      nextCursor: page.nextOffset === undefined ? null : encodeCursor(page.nextOffset),
      facets: view.facets,
    };
    res.set('cache-control', 'private, no-cache').json(body);
  });

  router.get('/directory/:id', async (req, res) => {
    const contact: DirectoryContact = await contactOf(req);
    res.set('cache-control', 'private, no-cache').json(contact);
  });

  router.get('/directory/:id/photo', async (req, res) => {
    const contact = await contactOf(req);
    const caller = callerOf(req)!;
    const photo = contact.hasPhoto ? await new DirectoryRepository(deps.store.db, deps.cipher).getPhoto(caller.tenantId, contact.id) : undefined;
    if (!photo || !PHOTO_TYPES.has(photo.contentType)) throw new HttpError(404, 'PhotoNotFound', 'This contact has no photo.');
    const etag = `"${createHash('sha256').update(photo.bytes).digest('base64url').slice(0, 27)}"`;
    res.set({ 'cache-control': 'private, max-age=300', etag, 'content-type': photo.contentType });
    if (req.get('if-none-match') === etag) return void res.status(304).end();
    res.send(photo.bytes);
  });

  return router;
}

// Cursors are opaque to clients (as Graph's nextLink is): an offset into the result, version-tagged so
// a future change of scheme can tell old cursors apart.
function encodeCursor(offset: number): string {
  return Buffer.from(`v1:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^v1:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new HttpError(400, 'BadRequest', 'Invalid directory query: cursor is not one this server issued; start again without it.');
  return Number(match[1]);
}
