import { describe, expect, it } from 'vitest';
import { readJson } from './helpers.js';

const GRAPH = '00000003-0000-0000-c000-000000000000';

// Microsoft Graph's published ids for the delegated permissions Switchboard requests. They are the same in
// every tenant; written out here, apart from appPackage/graph-permissions.json, so each checks the other.
const WELL_KNOWN_DELEGATED: Record<string, string> = {
  openid: '37f7f235-527c-4136-accd-4a02d197296e',
  profile: '14dad69e-099b-42c9-810b-d002981feec1',
  offline_access: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182',
  'User.Read': 'e1fe6dd8-ba31-4d61-89e7-88639da4683d',
  'User.Read.All': 'a154be20-db9c-4678-8ab7-66f6cc099a59',
  'GroupMember.Read.All': 'bc024368-1153-4739-b217-4326f2e966d0',
};

// Microsoft clients that request access_as_user on the user's behalf (see FIELD-NOTES.md).
const PRE_AUTHORIZED_CLIENTS = {
  'Teams desktop and mobile': '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  'Teams web': '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
  'Microsoft 365 web (1)': '4345a7b9-9a63-4910-a426-35363201d503',
  'Microsoft 365 web (2)': '4765445b-32c6-49b0-83e6-1d93765276ca',
  'Microsoft 365 desktop': '0ec893e0-5785-4de6-99da-4ed124e5296c',
  'Outlook desktop, Microsoft 365 mobile': 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
  'Outlook Web Access': '00000002-0000-0ff1-ce00-000000000000',
  'Outlook web': 'bc59ab01-8403-45c6-8796-ac3ef710b3e3',
  'Outlook mobile': '27922004-5251-4030-b22d-91ecd9a37ea4',
};

describe('Entra app registration (appPackage/aad.manifest.json)', () => {
  const aad = readJson('appPackage/aad.manifest.json');
  const graphPermissions = readJson('appPackage/graph-permissions.json');

  it('uses the Microsoft Graph app manifest format that Teams Toolkit applies as is', () => {
    // Teams Toolkit tells the two formats apart by `displayName`; the older format used `name`.
    expect(aad.displayName).toBe('Switchboard');
    expect(aad.name).toBeUndefined();
    expect(aad.id).toBe('${{AAD_APP_OBJECT_ID}}');
    expect(aad.appId).toBe('${{AAD_APP_CLIENT_ID}}');
  });

  it('is multi-tenant and asks for v2 access tokens', () => {
    expect(aad.signInAudience).toBe('AzureADMultipleOrgs');
    expect(aad.api.requestedAccessTokenVersion).toBe(2);
    expect(aad.accessTokenAcceptedVersion).toBeUndefined();
  });

  it("has the identifier URI that the Teams manifest's webApplicationInfo names", () => {
    const teams = readJson('appPackage/manifest.json');
    expect(aad.identifierUris).toEqual([teams.webApplicationInfo.resource]);
    expect(aad.identifierUris).toEqual(['api://${{TAB_DOMAIN}}/botid-${{BOT_ID}}']);
  });

  it('exposes access_as_user with admin and user consent texts', () => {
    expect(aad.api.oauth2PermissionScopes).toHaveLength(1);
    const [scope] = aad.api.oauth2PermissionScopes;
    expect(scope).toMatchObject({ value: 'access_as_user', type: 'User', isEnabled: true, id: '${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}}' });
    for (const key of ['adminConsentDisplayName', 'adminConsentDescription', 'userConsentDisplayName', 'userConsentDescription']) {
      expect(scope[key], key).toMatch(/\w{3}/);
    }
  });

  it('pre-authorises every Teams, Microsoft 365 and Outlook client for access_as_user, and nothing else', () => {
    const scopeId = aad.api.oauth2PermissionScopes[0].id;
    const entries = aad.api.preAuthorizedApplications as { appId: string; delegatedPermissionIds: string[] }[];
    expect(entries.map((e) => e.appId).sort()).toEqual(Object.values(PRE_AUTHORIZED_CLIENTS).sort());
    for (const entry of entries) expect(entry.delegatedPermissionIds, entry.appId).toEqual([scopeId]);
  });

  it('defines the Switchboard.Admin app role for users', () => {
    expect(aad.appRoles).toHaveLength(1);
    const [role] = aad.appRoles;
    expect(role).toMatchObject({ value: 'Switchboard.Admin', allowedMemberTypes: ['User'], isEnabled: true });
    expect(role.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('registers the redirect URIs of the browser and consent pop-up flows', () => {
    expect(aad.spa.redirectUris).toEqual(['${{TAB_ENDPOINT}}/auth/callback', '${{TAB_ENDPOINT}}/auth/end']);
    expect(aad.web.redirectUris).toEqual(['${{TAB_ENDPOINT}}/auth/server-callback']);
    expect(aad.web.implicitGrantSettings).toEqual({ enableIdTokenIssuance: false, enableAccessTokenIssuance: false });
  });

  it('asks for the idtyp claim, which Teams Toolkit checks for', () => {
    expect(aad.optionalClaims.accessToken).toContainEqual(expect.objectContaining({ name: 'idtyp' }));
  });

  it('requests exactly the six delegated Microsoft Graph permissions, and nothing from any other API', () => {
    expect(aad.requiredResourceAccess).toHaveLength(1);
    const [graph] = aad.requiredResourceAccess;
    expect(graph.resourceAppId).toBe(GRAPH);
    for (const access of graph.resourceAccess) expect(access.type, access.id).toBe('Scope');
    const names = graph.resourceAccess.map((a: { id: string }) => a.id);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(WELL_KNOWN_DELEGATED).sort());
  });

  it('maps each requested permission name to the GUID Microsoft Graph publishes for it', () => {
    expect(graphPermissions.resourceAppId).toBe(GRAPH);
    const ids = Object.fromEntries(Object.entries(graphPermissions.delegated).map(([name, p]) => [name, (p as { id: string }).id]));
    expect(ids).toEqual(WELL_KNOWN_DELEGATED);
  });

  it('marks admin consent only for the two directory-wide permissions', () => {
    const admin = Object.entries(graphPermissions.delegated)
      .filter(([, p]) => (p as { adminConsent: boolean }).adminConsent)
      .map(([name]) => name)
      .sort();
    expect(admin).toEqual(['GroupMember.Read.All', 'User.Read.All']);
  });
});
