import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { DirectoryRepository } from '../../store/directory-repository.js';
import type { DatabaseSchema } from '../../store/schema.js';
import type { GraphPages } from './graph-pages.js';

export interface PhotoSyncDeps {
  db: Kysely<DatabaseSchema>;
  cipher: FieldCipher;
  pages: GraphPages;
  /** Graph requests in flight at once (metadata batches, then downloads): photos are Exchange reads, so they stay few. */
  concurrency?: number;
}

/** Photos bigger than this are skipped: devices get small inline photos (the CardDAV layer resizes). */
const MAX_PHOTO_BYTES = 512 * 1024;
const BATCH = 20;

/**
 * Keeps users' photos current. Graph's delta does not track photos, so for the users a round added
 * or changed, the photo metadata is read in JSON batches of 20 and the bytes are downloaded only when
 * the media ETag differs from the stored one.
 * https://learn.microsoft.com/graph/api/profilephoto-get
 */
export async function syncPhotos(
  deps: PhotoSyncDeps,
  tenantId: string,
  userIds: Iterable<string>,
): Promise<{ checked: number; downloaded: number; removed: number; changedUsers: Set<string> }> {
  const directory = new DirectoryRepository(deps.db, deps.cipher);
  const ids = [...userIds];
  const result = { checked: 0, downloaded: 0, removed: 0, changedUsers: new Set<string>() };
  const downloads: { id: string; etag: string }[] = [];
  const concurrency = deps.concurrency ?? 4;
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH) chunks.push(ids.slice(i, i + BATCH));
  // Metadata batches are small and many (5,000 at 100k users): a few in flight at once hide Graph's
  // latency instead of adding it up.
  await pool(chunks, concurrency, async (chunk) => {
    const stored = new Map((await directory.getUsers(tenantId, chunk)).map((u) => [u.id, u.photoHash]));
    const answers = await batchWithRetries(deps.pages, chunk.map((id) => `/users/${id}/photo`));
    answers.forEach((answer, j) => {
      const id = chunk[j]!;
      result.checked++;
      const etag = answer.status === 200 ? String((answer.body as Record<string, unknown>)['@odata.mediaEtag'] ?? '') : undefined;
      if (etag && etag !== stored.get(id)) downloads.push({ id, etag });
      else if (answer.status === 404 && stored.get(id)) {
        result.removed++;
        downloads.push({ id, etag: '' });
      }
    });
  });
  await pool(downloads, concurrency, async (next) => {
    const photo = next.etag ? await deps.pages.getBytes(`/users/${next.id}/photo/$value`) : undefined;
    if (photo && photo.bytes.length > MAX_PHOTO_BYTES) return;
    await directory.setPhoto(tenantId, next.id, photo && { ...photo, hash: next.etag });
    // A new photo is a new card: the contact must get a feed entry so devices fetch it again.
    result.changedUsers.add(next.id);
    if (photo) result.downloaded++;
  });
  return result;
}

/** Batch items are throttled one by one: only the 429s are sent again, after a growing pause. */
async function batchWithRetries(pages: GraphPages, urls: string[]): Promise<{ status: number; body: unknown }[]> {
  const answers = await pages.batch(urls);
  for (let attempt = 0; attempt < 5; attempt++) {
    const throttled = answers.map((a, i) => (a.status === 429 ? i : -1)).filter((i) => i >= 0);
    if (throttled.length === 0) break;
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    const retried = await pages.batch(throttled.map((i) => urls[i]!));
    throttled.forEach((i, j) => (answers[i] = retried[j]!));
  }
  return answers;
}

/** Runs `work` over the items with at most `concurrency` at a time; the first failure stops the rest. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
