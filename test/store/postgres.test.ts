import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('PostgreSQL (pg)', async () => {
  const db = await createTestDatabase();
  return { store: openStore({ kind: 'postgres', url: db.url }), dispose: db.drop };
});

describe('PostgreSQL with several instances', () => {
  it('two instances migrating at once apply each migration exactly once', async () => {
    const db = await createTestDatabase();
    const a = openStore({ kind: 'postgres', url: db.url });
    const b = openStore({ kind: 'postgres', url: db.url });
    try {
      const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
      expect(ra.pending).toEqual([]);
      expect(rb).toEqual(ra);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('ping fails with a clear error when the server is unreachable', async () => {
    const store = openStore({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(store.ping()).rejects.toThrow(/ECONNREFUSED|connect/);
    await store.close();
  });
});
