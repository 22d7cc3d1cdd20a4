import { ConfidentialClientApplication, LogLevel, type ICachePlugin } from '@azure/msal-node';
import type { Logger } from '../log/logger.js';

/** Switchboard's app registration as msal needs it (from `config.entra`). */
export interface MsalSettings {
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com, or the dev tenant https://localhost:53100. */
  authorityHost: string;
}

/**
 * Hosts msal already knows through instance discovery. Any other host (the dev tenant) must be
 * listed in `knownAuthorities`, which also makes msal trust its metadata without discovery.
 */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'login.chinacloudapi.cn',
  'login.microsoftonline.de',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
]);

/** Checks `config.entra` has what Graph access needs; says which settings are missing. */
export function msalSettingsFrom(entra: { clientId: string | undefined; clientSecret: string | undefined; authorityHost: string }): MsalSettings {
  const missing = [entra.clientId ? undefined : 'AAD_APP_CLIENT_ID', entra.clientSecret ? undefined : 'SECRET_AAD_APP_CLIENT_SECRET'].filter(Boolean);
  if (missing.length > 0) throw new Error(`Microsoft Graph access needs ${missing.join(' and ')}`);
  return { clientId: entra.clientId!, clientSecret: entra.clientSecret!, authorityHost: entra.authorityHost.replace(/\/+$/, '') };
}

/** Switchboard is multi-tenant: every call names the user's tenant. */
export function authorityFor(authorityHost: string, tenantId: string): string {
  return `${authorityHost}/${tenantId}`;
}

export function knownAuthoritiesFor(authorityHost: string): string[] {
  const url = new URL(authorityHost);
  // msal refuses http authorities outright; fail here with the setting's name instead.
  if (url.protocol !== 'https:') throw new Error(`AAD_APP_OAUTH_AUTHORITY_HOST must be https (got ${authorityHost})`);
  return MICROSOFT_AUTHORITY_HOSTS.has(url.hostname) ? [] : [url.host];
}

/**
 * The process's one ConfidentialClientApplication. Create it once (main.ts) and share it: msal caches
 * on-behalf-of results by the incoming assertion in its in-memory cache, which a client per request
 * would throw away. The default authority is `organizations`; calls pass their tenant's authority.
 */
export function createMsalClient(settings: MsalSettings, cachePlugin: ICachePlugin, logger?: Logger): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      authority: authorityFor(settings.authorityHost, 'organizations'),
      knownAuthorities: knownAuthoritiesFor(settings.authorityHost),
    },
    cache: { cachePlugin },
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (!logger) return;
          if (level === LogLevel.Error) logger.error({ msal: true }, message);
          else logger.warn({ msal: true }, message);
        },
      },
    },
  });
}
