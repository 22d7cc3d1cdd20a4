import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDirectory } from '../../../src/core/sync/directory-sync.js';
import { PostgresTenantLock } from '../../../src/core/sync/tenant-lock.js';
import { FieldCipher } from '../../../src/crypto/field-cipher.js';
import { projectRoot } from '../../../src/project.js';
import { DirectoryRepository } from '../../../src/store/directory-repository.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { CONTOSO_TENANT_ID, startTestDevTenant, type RunningDevTenant } from '../../helpers/dev-tenant.js';
import { createTestDatabase } from '../../helpers/postgres.js';
import { spawnProcess } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FetchPages } from './fetch-pages.js';

/**
 * Two instances on one PostgreSQL, one killed with SIGKILL mid-round: PostgreSQL releases the dead
 * instance's advisory lock with its connection, the other instance takes the tenant over, resumes
 * from the last page the dead one committed, and the store ends equal to the directory.
 */
describe('an instance killed mid-round on PostgreSQL', () => {
  let dev: RunningDevTenant;
  let db: { url: string; drop: () => Promise<void> };
  let store: Store;
  let childJs: string;
  const tmp = tempDir();
  const key = randomBytes(32);
  const cipher = new FieldCipher([key]);
  let token: string;

  beforeAll(async () => {
    dev = await startTestDevTenant();
    db = await createTestDatabase();
    store = openStore({ kind: 'postgres', url: db.url });
    await store.migrate();
    await store.tenants.upsert(CONTOSO_TENANT_ID, 'Contoso');
    token = await dev.syncGraphToken();
    childJs = path.join(tmp.dir, 'sync-child.mjs');
    await build({
      entryPoints: [path.join(projectRoot, 'test/core/sync/fixtures/sync-child.ts')], outfile: childJs, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent',
    });
    // The bundle leaves packages external: let it find the project's node_modules from the temp folder.
    fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(tmp.dir, 'node_modules'));
  });
  afterAll(async () => {
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'DELETE' });
    await store.close();
    await db.drop();
    await dev.stop();
    tmp.remove();
  });

  it('the survivor takes the lock, resumes from the saved page, and the store matches the directory', async () => {
    // Slow Graph and small pages, so the round is still running when the instance dies.
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 150 }) });
    const child = spawnProcess(process.execPath, [childJs], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, DB_URL: db.url, GRAPH_BASE: `${dev.baseUrl}/v1.0`, TOKEN: token, TENANT: CONTOSO_TENANT_ID, KEY: key.toString('base64'), PAGE_SIZE: '5', CA_PEM: dev.caPem },
    });
    await child.waitFor(/page 3\n/);
    const lock = new PostgresTenantLock(store.db);
    // While the other instance lives, this one is refused.
    expect(await lock.tryRun(CONTOSO_TENANT_ID, async () => 'ran')).toEqual({ ran: false });
    child.child.kill('SIGKILL');
    await child.exited;
    await fetch(`${dev.baseUrl}/_dev/faults`, { method: 'DELETE' });

    const pages = new FetchPages(`${dev.baseUrl}/v1.0`, async () => token);
    let result: Awaited<ReturnType<typeof lock.tryRun>> = { ran: false };
    for (let i = 0; i < 50 && !result.ran; i++) {
      result = await lock.tryRun(CONTOSO_TENANT_ID, () => syncDirectory({ db: store.db, cipher, pages }, CONTOSO_TENANT_ID));
      if (!result.ran) await new Promise((r) => setTimeout(r, 100));
    }
    expect(result.ran).toBe(true);
    // Resumed: a round from the start would need 8 user pages (36 users, 5 a page) and 3 group pages.
    expect(pages.requests).toBeLessThan(8 + 3);
    const truth = dev.registry.findTenant(CONTOSO_TENANT_ID)!.directory;
    const ids = (await new DirectoryRepository(store.db, cipher).userFlags(CONTOSO_TENANT_ID)).map((u) => u.id).sort();
    expect(ids).toEqual([...truth.listUsers()].map((u) => u.id).sort());
    const links = (await new DirectoryRepository(store.db, cipher).memberships(CONTOSO_TENANT_ID)).length;
    expect(links).toBe([...truth.listGroups()].reduce((n, g) => n + truth.directMembers(g.id).length, 0));
  });
});
