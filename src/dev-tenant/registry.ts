import type { DevDirectory } from './directory.js';

/** Microsoft Graph as a resource: its app id and its delegated permissions with their consent rule. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/**
 * Graph's delegated permissions the stand-in knows, and whether each needs an administrator's
 * consent (Microsoft Graph permissions reference). openid, profile, email and offline_access are the
 * OpenID Connect scopes, which Entra also lists under Graph.
 */
export const GRAPH_DELEGATED_SCOPES: Record<string, { adminConsentRequired: boolean }> = {
  openid: { adminConsentRequired: false },
  profile: { adminConsentRequired: false },
  email: { adminConsentRequired: false },
  offline_access: { adminConsentRequired: false },
  'User.Read': { adminConsentRequired: false },
  'User.ReadBasic.All': { adminConsentRequired: false },
  'User.Read.All': { adminConsentRequired: true },
  'User.ReadWrite.All': { adminConsentRequired: true },
  'GroupMember.Read.All': { adminConsentRequired: true },
  'Group.Read.All': { adminConsentRequired: true },
  'Directory.Read.All': { adminConsentRequired: true },
  'People.Read': { adminConsentRequired: false },
};

export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Well-known directory role template ids, as they appear in the `wids` claim. */
export const DIRECTORY_ROLES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  teamsAdministrator: '69091246-20e8-4a56-aa4d-066075b2a7a8',
} as const;

export interface DevApp {
  clientId: string;
  displayName: string;
  /** Confidential clients have a secret; public clients (SPAs, Teams) have none. */
  clientSecret?: string;
  /** The tenant that registered the app. */
  homeTenantId: string;
  signInAudience: 'AzureADMyOrg' | 'AzureADMultipleOrgs';
  identifierUris: string[];
  /** Scopes this app exposes as an API (e.g. access_as_user). */
  exposedScopes: { value: string; adminConsentRequired: boolean }[];
  /** Clients that may request this app's scopes without consent (Teams, Outlook…). */
  preAuthorizedClientIds: string[];
  appRoles: { value: string; displayName: string }[];
  redirectUris: { spa: string[]; web: string[]; publicClient: string[] };
  /** Permissions the app declares (requiredResourceAccess), qualified `${resourceAppId}/${name}`: what `.default` admin consent grants. */
  requiredScopes: string[];
  /**
   * First-party apps (the Teams and Office clients) are trusted by every tenant without consent,
   * as Microsoft's own clients are.
   */
  firstParty?: boolean;
}

/** Consent records of one tenant: per client, scopes granted for everyone (admin) and per user. */
export class ConsentGrants {
  private readonly grants = new Map<string, { allPrincipals: Set<string>; perUser: Map<string, Set<string>> }>();

  private entry(clientId: string) {
    let e = this.grants.get(clientId);
    if (!e) this.grants.set(clientId, (e = { allPrincipals: new Set(), perUser: new Map() }));
    return e;
  }

  /** Scopes are resource-qualified: `${resourceAppId}/${scope}`. */
  grantForAll(clientId: string, scopes: Iterable<string>): void {
    for (const s of scopes) this.entry(clientId).allPrincipals.add(s);
  }

  grantForUser(clientId: string, userId: string, scopes: Iterable<string>): void {
    const e = this.entry(clientId);
    let set = e.perUser.get(userId);
    if (!set) e.perUser.set(userId, (set = new Set()));
    for (const s of scopes) set.add(s);
  }

  revokeAll(clientId: string): void {
    this.grants.delete(clientId);
  }

  /** What `userId` may use through `clientId`: tenant-wide grants plus the user's own. */
  granted(clientId: string, userId: string | undefined): Set<string> {
    const e = this.grants.get(clientId);
    if (!e) return new Set();
    return new Set([...e.allPrincipals, ...(userId ? (e.perUser.get(userId) ?? []) : [])]);
  }

  hasAdminConsent(clientId: string): boolean {
    return (this.grants.get(clientId)?.allPrincipals.size ?? 0) > 0;
  }

  adminGranted(clientId: string): string[] {
    return [...(this.grants.get(clientId)?.allPrincipals ?? [])];
  }
}

export interface DevTenant {
  id: string;
  /** Primary domain, e.g. contoso.example. */
  domain: string;
  displayName: string;
  directory: DevDirectory;
  consents: ConsentGrants;
  /** App role assignments: clientId → userId → role values. */
  appRoleAssignments: Map<string, Map<string, Set<string>>>;
  /** Users for whom token requests answer with a conditional-access claims challenge (MFA). */
  claimsChallengeUsers: Set<string>;
}

/** Every tenant and app registration of the stand-in. */
export class DevRegistry {
  readonly tenants = new Map<string, DevTenant>();
  readonly apps = new Map<string, DevApp>();

  constructor(
    /** One password for every dev user: it is a development tenant, and tests must sign in. */
    readonly userPassword: string,
  ) {}

  addTenant(tenant: DevTenant): void {
    this.tenants.set(tenant.id, tenant);
  }

  /** Finds a tenant by id or by domain, as Entra's authority path segment allows. */
  findTenant(idOrDomain: string): DevTenant | undefined {
    const key = idOrDomain.toLowerCase();
    const byId = this.tenants.get(key);
    if (byId) return byId;
    for (const t of this.tenants.values()) if (t.domain.toLowerCase() === key) return t;
    return undefined;
  }

  addApp(app: DevApp): void {
    this.apps.set(app.clientId, app);
  }

  /** The app that exposes a resource, found by client id or identifier URI. */
  findResourceApp(resource: string): DevApp | undefined {
    const app = this.apps.get(resource);
    if (app) return app;
    for (const a of this.apps.values()) if (a.identifierUris.includes(resource)) return a;
    return undefined;
  }

  appRoles(tenant: DevTenant, clientId: string, userId: string): string[] {
    return [...(tenant.appRoleAssignments.get(clientId)?.get(userId) ?? [])];
  }
}

export function assignAppRole(tenant: DevTenant, clientId: string, userId: string, role: string): void {
  let byUser = tenant.appRoleAssignments.get(clientId);
  if (!byUser) tenant.appRoleAssignments.set(clientId, (byUser = new Map()));
  let roles = byUser.get(userId);
  if (!roles) byUser.set(userId, (roles = new Set()));
  roles.add(role);
}
