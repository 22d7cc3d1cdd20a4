import type { Config } from '../config/config.js';
import { FieldCipher } from './field-cipher.js';

/** The cipher for data at rest: the current key seals, previous keys (during rotation) still open. */
export function dataCipher(config: Pick<Config, 'dataEncryptionKey' | 'previousDataEncryptionKeys'>): FieldCipher {
  return new FieldCipher([config.dataEncryptionKey, ...config.previousDataEncryptionKeys]);
}
