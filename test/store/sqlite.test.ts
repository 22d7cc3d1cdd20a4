import path from 'node:path';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('SQLite (better-sqlite3)', async () => {
  const tmp = tempDir();
  return { store: openStore({ kind: 'sqlite', path: path.join(tmp.dir, 'nested', 'store.db') }), dispose: async () => tmp.remove() };
});
