import { z } from 'zod';

/**
 * Every setting Switchboard reads, with its default and its check. Names follow Teams Toolkit's env
 * files (UPPER_SNAKE, secrets prefixed SECRET_) so that `env/.env.<name>` files work unchanged.
 */
const PORT_MESSAGE = 'must be a port number from 1 to 65535';
const port = z.coerce.number({ error: PORT_MESSAGE }).int(PORT_MESSAGE).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE);
const base64Key32 = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

export const settingsSchema = z
  .object({
    TEAMSFX_ENV: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes').default('local'),
    PORT: port.default(53000),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    TLS_MODE: z.enum(['dev-ca', 'files', 'off']).default('dev-ca'),
    TLS_CERT_FILE: z.string().optional(),
    TLS_KEY_FILE: z.string().optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    STORE: z.enum(['sqlite', 'postgres']).default('sqlite'),
    SQLITE_PATH: z.string().optional(),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    SECRET_DATA_ENCRYPTION_KEY: base64Key32,
    // Key rotation: the keys data was sealed with before, comma-separated; they decrypt, never encrypt.
    SECRET_DATA_ENCRYPTION_KEYS_PREVIOUS: z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(base64Key32))
      .optional(),
    SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    // Memory for serialized vCards shared by all devices (src/carddav/card-cache.ts); 0 turns it off.
    CARDDAV_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(64),
    // Who may set X-Forwarded-For (express "trust proxy"): the client address decides the rate limits
    // of credential checks, so behind a load balancer that is not on loopback, name it, or every
    // device would share the balancer's address and one attacker's failures would lock out everyone.
    TRUSTED_PROXIES: z
      .string()
      .default('loopback')
      .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
      .pipe(z.array(z.union([z.enum(['loopback', 'linklocal', 'uniquelocal']), z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()], { error: (iss) => `${JSON.stringify(iss.input)} is not loopback, linklocal, uniquelocal, an IP address or a CIDR range` }))),
    // The Entra app registration (Teams Toolkit names). Locally the dev tenant registers the same app.
    AAD_APP_CLIENT_ID: z.uuid().optional(),
    SECRET_AAD_APP_CLIENT_SECRET: z.string().min(16).optional(),
    AAD_APP_OAUTH_AUTHORITY_HOST: z.url({ protocol: /^https$/ }).default('https://login.microsoftonline.com'),
    GRAPH_BASE_URL: z.url({ protocol: /^https$/ }).default('https://graph.microsoft.com/v1.0'),
    TAB_DOMAIN: z.string().min(1).optional(),
    BOT_ID: z.uuid().optional(),
    // The bot's single-tenant registration (new multi-tenant Azure Bot registrations are no longer
    // accepted): its client secret and the tenant it is registered in. Without a password the bot
    // runs unauthenticated, which only the local environment allows (config.ts, botConfig).
    SECRET_BOT_PASSWORD: z.string().min(1).optional(),
    BOT_TENANT_ID: z.guid().optional(),
    DEV_TENANT: z.enum(['on', 'off']).default('off'),
    DEV_TENANT_PORT: port.default(53100),
    DEV_TENANT_PASSWORD: z.string().min(8).optional(),
  });

/**
 * Rules that join several settings. Checked on the raw values, so that they are reported together with
 * any per-setting problem instead of only after those are fixed.
 */
export function crossSettingProblems(raw: Record<string, string | undefined>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (raw.STORE === 'postgres' && !raw.DATABASE_URL) problems.push({ path: 'DATABASE_URL', message: 'is required when STORE=postgres' });
  if (raw.TLS_MODE === 'files') {
    for (const key of ['TLS_CERT_FILE', 'TLS_KEY_FILE']) {
      if (!raw[key]) problems.push({ path: key, message: 'is required when TLS_MODE=files' });
    }
  }
  if (raw.SECRET_BOT_PASSWORD) {
    for (const key of ['BOT_ID', 'BOT_TENANT_ID']) {
      if (!raw[key]) problems.push({ path: key, message: 'is required with SECRET_BOT_PASSWORD (the bot is a single-tenant registration)' });
    }
  }
  if (raw.DEV_TENANT === 'on') {
    for (const key of ['AAD_APP_CLIENT_ID', 'SECRET_AAD_APP_CLIENT_SECRET', 'TAB_DOMAIN', 'BOT_ID', 'DEV_TENANT_PASSWORD']) {
      if (!raw[key]) problems.push({ path: key, message: 'is required when DEV_TENANT=on (the dev tenant registers Switchboard with it)' });
    }
  }
  return problems;
}

export type Settings = z.output<typeof settingsSchema>;
