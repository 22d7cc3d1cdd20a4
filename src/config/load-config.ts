import path from 'node:path';
import { parseConfig, type Config } from './config.js';
import { ensureGeneratedSecrets, readEnvFiles } from './env-files.js';

export interface LoadOptions {
  cwd?: string;
  environment?: Record<string, string | undefined>;
  /** Create missing local secrets (on for `npm start`; production supplies its own). */
  generateSecrets?: boolean;
}

/** Reads env files and the environment, generates local secrets when asked, and validates. */
export function loadConfig(options: LoadOptions = {}): { config: Config; generated: string[] } {
  const cwd = options.cwd ?? process.cwd();
  const environment = options.environment ?? process.env;
  const env = environment.TEAMSFX_ENV || 'local';
  const envDir = path.join(cwd, 'env');
  let raw = { ...readEnvFiles(envDir, env), ...environment };
  let generated: string[] = [];
  if (options.generateSecrets ?? env === 'local') {
    generated = ensureGeneratedSecrets(envDir, env, raw);
    if (generated.length > 0) raw = { ...readEnvFiles(envDir, env), ...environment };
  }
  return { config: parseConfig(raw, cwd), generated };
}
