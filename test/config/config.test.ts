import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('parseConfig', () => {
  it('applies defaults for the embedded default', () => {
    const c = parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY }, '/srv/app');
    expect(c).toMatchObject({
      env: 'local',
      port: 53000,
      publicUrl: 'https://localhost:53000',
      store: { kind: 'sqlite', path: '/srv/app/.data/switchboard.db' },
      tls: { mode: 'dev-ca', dir: '/srv/app/.data/tls' },
    });
    expect(c.dataEncryptionKey.length).toBe(32);
  });

  it('treats empty values as unset, as Teams Toolkit writes NAME= for values filled in later', () => {
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, PORT: '' }).port).toBe(53000);
  });

  it('names every bad setting at once, with the value given', () => {
    try {
      parseConfig({ PORT: 'eighty', STORE: 'mysql', SECRET_DATA_ENCRYPTION_KEY: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toMatch(/PORT: .*\(got "eighty"\)/);
      expect(message).toMatch(/STORE: .*\(got "mysql"\)/);
      expect(message).toMatch(/SECRET_DATA_ENCRYPTION_KEY: must be 32 bytes/);
      expect(message).not.toContain('short'); // secret values are never echoed
    }
  });

  it('requires DATABASE_URL for PostgreSQL and both files for TLS_MODE=files', () => {
    expect(() => parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, STORE: 'postgres' })).toThrow(/DATABASE_URL: is required when STORE=postgres/);
    expect(() => parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, TLS_MODE: 'files', TLS_CERT_FILE: 'a.crt' })).toThrow(/TLS_KEY_FILE: is required/);
  });

  it('reads TRUSTED_PROXIES as express trust-proxy values, loopback by default, and names a bad entry', () => {
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY }).trustedProxies).toEqual(['loopback']);
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5 ,uniquelocal' }).trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.5', 'uniquelocal']);
    expect(() => parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, TRUSTED_PROXIES: 'loopback,everyone' })).toThrow(/TRUSTED_PROXIES.*"everyone" is not loopback/s);
  });

  it('rejects a DATABASE_URL that is not a postgres URL', () => {
    expect(() => parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, STORE: 'postgres', DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
  });

  it('requires the app registration settings when the dev tenant is on, since it registers Switchboard with them', () => {
    expect(() => parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, DEV_TENANT: 'on' })).toThrow(/AAD_APP_CLIENT_ID: is required when DEV_TENANT=on/);
  });

  it('derives the SSO resource from TAB_DOMAIN and BOT_ID, in the form a tab and bot share', () => {
    const c = parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, TAB_DOMAIN: 'app.example', BOT_ID: '5b0a4d00-0000-4000-8000-000000000005' });
    expect(c.entra.identifierUri).toBe('api://app.example/botid-5b0a4d00-0000-4000-8000-000000000005');
    expect(c.entra.authorityHost).toBe('https://login.microsoftonline.com');
    expect(c.entra.graphBaseUrl).toBe('https://graph.microsoft.com/v1.0');
  });

  it('uses http in the default public URL when TLS is terminated elsewhere', () => {
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, TLS_MODE: 'off', PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });
});

describe('loadConfig', () => {
  let cleanup: () => void = () => {};
  afterEach(() => cleanup());

  function project(files: Record<string, string>): string {
    const tmp = tempDir();
    cleanup = tmp.remove;
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(tmp.dir, name)), { recursive: true });
      fs.writeFileSync(path.join(tmp.dir, name), content);
    }
    return tmp.dir;
  }

  it('layers env/.env.<env>, then env/.env.<env>.user, then the environment', () => {
    const cwd = project({
      'env/.env.local': 'PORT=1000\nLOG_LEVEL=debug\nHOST=0.0.0.0\n',
      'env/.env.local.user': `PORT=2000\nLOG_LEVEL=warn\nSECRET_DATA_ENCRYPTION_KEY=${KEY}\nSECRET_AAD_APP_CLIENT_SECRET=abcdefghijklmnopqrstuvwxyz\n`,
    });
    const { config, generated } = loadConfig({ cwd, environment: { PORT: '3000' } });
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('warn');
    expect(config.host).toBe('0.0.0.0');
    expect(generated).toEqual([]);
  });

  it('generates a missing local secret into env/.env.local.user (mode 0600) and keeps it on later loads', () => {
    const cwd = project({ 'env/.env.local': 'PORT=1000\n', 'env/.env.local.user': 'OTHER=kept' });
    const first = loadConfig({ cwd, environment: {} });
    expect(first.generated).toEqual(['SECRET_DATA_ENCRYPTION_KEY', 'SECRET_AAD_APP_CLIENT_SECRET']);
    const file = path.join(cwd, 'env/.env.local.user');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^OTHER=kept\nSECRET_DATA_ENCRYPTION_KEY=/m);
    const second = loadConfig({ cwd, environment: {} });
    expect(second.generated).toEqual([]);
    expect(second.config.dataEncryptionKey.equals(first.config.dataEncryptionKey)).toBe(true);
  });

  it('does not generate secrets outside the local environment: production must supply them', () => {
    const cwd = project({ 'env/.env.dev': 'PORT=8080\n' });
    expect(() => loadConfig({ cwd, environment: { TEAMSFX_ENV: 'dev' } })).toThrow(/SECRET_DATA_ENCRYPTION_KEY/);
    expect(fs.existsSync(path.join(cwd, 'env/.env.dev.user'))).toBe(false);
  });
});
