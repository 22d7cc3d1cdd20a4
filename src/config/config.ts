import path from 'node:path';
import { crossSettingProblems, settingsSchema, type Settings } from './schema.js';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string };

export type TlsConfig =
  | { mode: 'dev-ca'; dir: string }
  | { mode: 'files'; certFile: string; keyFile: string }
  | { mode: 'off' };

/**
 * How the bot endpoint authenticates the activities it receives.
 *
 * - `bot-framework`: every request must carry a Bot Framework JWT, verified by botbuilder against the
 *   bot's single-tenant registration (production).
 * - `local`: no app password and no verification, for the Microsoft 365 Agents Playground, which
 *   sends activities without an Authorization header. Only when no password is configured, and only
 *   in the `local` environment: anyone who can reach an unauthenticated endpoint can claim to be any
 *   user.
 * - `off`: the endpoint is not mounted (no password outside the `local` environment).
 */
export type BotConfig =
  | { mode: 'bot-framework'; appId: string; password: string; tenantId: string }
  | { mode: 'local'; appId: string | undefined }
  | { mode: 'off'; reason: string };

/** The validated configuration the rest of the program sees: grouped, resolved, no raw strings. */
export interface Config {
  env: string;
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  tls: TlsConfig;
  store: StoreConfig;
  logLevel: Settings['LOG_LEVEL'];
  shutdownGraceMs: number;
  dataEncryptionKey: Buffer;
  /** Earlier data keys, still accepted for decryption while data is re-sealed under the current one. */
  previousDataEncryptionKeys: Buffer[];
  syncIntervalMs: number;
  carddavCacheBytes: number;
  /** Addresses allowed to set X-Forwarded-For (express "trust proxy" values). */
  trustedProxies: string[];
  /** Switchboard's Entra app registration and the Microsoft endpoints it talks to. */
  entra: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    /** api://{TAB_DOMAIN}/botid-{BOT_ID}: the resource of the tab's SSO token. */
    identifierUri: string | undefined;
    authorityHost: string;
    graphBaseUrl: string;
  };
  /** The local stand-in for Entra ID and Graph (issue 3); off in production. */
  devTenant: { enabled: boolean; port: number; password: string | undefined };
  bot: BotConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates raw settings (env files + environment) and resolves them into a Config. */
export function parseConfig(raw: Record<string, string | undefined>, cwd = process.cwd()): Config {
  // Empty strings mean "not set": Teams Toolkit writes `NAME=` for values it fills in later.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = settingsSchema.safeParse(cleaned);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))),
    ...crossSettingProblems(cleaned),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(
      problems.map(({ path: name, message }) => {
        const got = cleaned[name];
        const shown = got === undefined || name.startsWith('SECRET_') ? '' : ` (got "${got}")`;
        return `${name || '(settings)'}: ${message}${shown}`;
      }),
    );
  }
  const s = parsed.data;
  const dataDir = path.resolve(cwd, s.DATA_DIR);
  const scheme = s.TLS_MODE === 'off' ? 'http' : 'https';
  return {
    env: s.TEAMSFX_ENV,
    port: s.PORT,
    host: s.HOST,
    publicUrl: (s.PUBLIC_URL ?? `${scheme}://localhost:${s.PORT}`).replace(/\/+$/, ''),
    dataDir,
    tls:
      s.TLS_MODE === 'dev-ca'
        ? { mode: 'dev-ca', dir: path.join(dataDir, 'tls') }
        : s.TLS_MODE === 'files'
          ? { mode: 'files', certFile: path.resolve(cwd, s.TLS_CERT_FILE!), keyFile: path.resolve(cwd, s.TLS_KEY_FILE!) }
          : { mode: 'off' },
    store:
      s.STORE === 'postgres'
        ? { kind: 'postgres', url: s.DATABASE_URL! }
        : { kind: 'sqlite', path: path.resolve(cwd, s.SQLITE_PATH ?? path.join(s.DATA_DIR, 'switchboard.db')) },
    logLevel: s.LOG_LEVEL,
    shutdownGraceMs: s.SHUTDOWN_GRACE_MS,
    dataEncryptionKey: Buffer.from(s.SECRET_DATA_ENCRYPTION_KEY, 'base64'),
    previousDataEncryptionKeys: (s.SECRET_DATA_ENCRYPTION_KEYS_PREVIOUS ?? []).map((k) => Buffer.from(k, 'base64')),
    syncIntervalMs: s.SYNC_INTERVAL_MINUTES * 60_000,
    carddavCacheBytes: s.CARDDAV_CACHE_MB * 1024 * 1024,
    trustedProxies: s.TRUSTED_PROXIES,
    entra: {
      clientId: s.AAD_APP_CLIENT_ID,
      clientSecret: s.SECRET_AAD_APP_CLIENT_SECRET,
      identifierUri: s.TAB_DOMAIN && s.BOT_ID ? `api://${s.TAB_DOMAIN}/botid-${s.BOT_ID}` : undefined,
      authorityHost: s.AAD_APP_OAUTH_AUTHORITY_HOST.replace(/\/+$/, ''),
      graphBaseUrl: s.GRAPH_BASE_URL.replace(/\/+$/, ''),
    },
    devTenant: { enabled: s.DEV_TENANT === 'on', port: s.DEV_TENANT_PORT, password: s.DEV_TENANT_PASSWORD },
    bot: botConfig(s),
  };
}

function botConfig(s: Settings): BotConfig {
  // crossSettingProblems has already required BOT_ID and BOT_TENANT_ID along with a password.
  if (s.SECRET_BOT_PASSWORD) return { mode: 'bot-framework', appId: s.BOT_ID!, password: s.SECRET_BOT_PASSWORD, tenantId: s.BOT_TENANT_ID! };
  if (s.TEAMSFX_ENV === 'local') return { mode: 'local', appId: s.BOT_ID };
  return { mode: 'off', reason: `SECRET_BOT_PASSWORD is not set: outside the local environment the bot only answers authenticated Bot Framework requests` };
}
