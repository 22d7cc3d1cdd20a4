/**
 * The delegated Graph permissions Switchboard declares (appPackage/aad.manifest.json); msal adds
 * openid, profile and offline_access (the refresh token background sync runs on).
 *
 * Short names on purpose: a name without a resource prefix means Microsoft Graph to Entra, and Entra
 * answers Graph scopes without the prefix ("User.Read.All openid profile"). msal looks cached tokens
 * up by comparing the requested scopes with those answered, so a request for
 * "https://graph.microsoft.com/User.Read.All" never finds its own token and goes to the network on
 * every call — on-behalf-of caching included.
 */
export const GRAPH_SCOPES: readonly string[] = ['User.Read.All', 'GroupMember.Read.All', 'User.Read'];

/** Permissions only an administrator can consent to (Graph permissions reference). */
const ADMIN_ONLY_SCOPES = new Set(['user.read.all', 'groupmember.read.all', 'group.read.all', 'directory.read.all']);

export function needsAdminConsent(scopes: readonly string[]): boolean {
  return scopes.some((s) => ADMIN_ONLY_SCOPES.has(s.slice(s.lastIndexOf('/') + 1).toLowerCase()));
}
