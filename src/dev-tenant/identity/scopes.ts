import type { DevUser } from '../directory.js';
import { GRAPH_APP_ID, GRAPH_DELEGATED_SCOPES, GRAPH_RESOURCE, OIDC_SCOPES, type DevApp, type DevRegistry, type DevTenant } from '../registry.js';
import { entra } from './entra-errors.js';

/** The resource a token request is for: Microsoft Graph or a registered app's API. */
export type Resource = { kind: 'graph' } | { kind: 'app'; app: DevApp };

/** A `scope` parameter resolved against the registry, as Entra reads it. */
export interface ScopeRequest {
  resource: Resource;
  /** Permission names on the resource (no prefix); empty with `isDefault`. */
  scopes: string[];
  /** `<resource>/.default`: every permission consented for the resource. */
  isDefault: boolean;
  oidc: Set<string>;
}

/**
 * Parses a space-separated `scope`. Names without a resource prefix are Graph's (Entra's default
 * resource); a request may name only one resource besides the OpenID Connect scopes (AADSTS28000).
 */
export function parseScopes(raw: string | undefined, registry: DevRegistry, tenant: DevTenant): ScopeRequest {
  const words = (raw ?? '').split(/\s+/).filter(Boolean);
  if (words.length === 0) throw entra.invalidScope('The scope parameter is empty.');
  const oidc = new Set<string>();
  let resourceKey: string | undefined;
  let resource: Resource | undefined;
  const scopes: string[] = [];
  let isDefault = false;
  for (const word of words) {
    if (OIDC_SCOPES.has(word)) {
      oidc.add(word);
      continue;
    }
    const slash = word.lastIndexOf('/');
    const [prefix, name] = slash > 0 ? [word.slice(0, slash), word.slice(slash + 1)] : [GRAPH_RESOURCE, word];
    const key = prefix === GRAPH_APP_ID || prefix === GRAPH_RESOURCE || prefix === `${GRAPH_RESOURCE}/` ? 'graph' : prefix;
    if (resourceKey !== undefined && resourceKey !== key) throw entra.multipleResources();
    if (resourceKey === undefined) {
      resourceKey = key;
      if (key === 'graph') resource = { kind: 'graph' };
      else {
        const app = registry.findResourceApp(prefix);
        if (!app) throw entra.resourceNotFound(prefix, tenant.id);
        resource = { kind: 'app', app };
      }
    }
    if (name === '.default') isDefault = true;
    else scopes.push(name);
  }
  if (isDefault && scopes.length > 0) throw entra.invalidScope("'.default' cannot be combined with other scopes for the same resource.");
  for (const name of scopes) {
    const r = resource!;
    const known = r.kind === 'graph' ? name in GRAPH_DELEGATED_SCOPES : r.app.exposedScopes.some((s) => s.value === name);
    if (!known) throw entra.invalidScope(`The scope '${name}' does not exist on the resource.`);
  }
  // Only OpenID Connect scopes: Entra then issues a Graph token for User.Read-less sign-in.
  return { resource: resource ?? { kind: 'graph' }, scopes, isDefault, oidc };
}

export function resourceAppId(resource: Resource): string {
  return resource.kind === 'graph' ? GRAPH_APP_ID : resource.app.clientId;
}

/** `${resourceAppId}/${name}`: how consent records name a permission. */
export function qualify(resource: Resource, name: string): string {
  return `${resourceAppId(resource)}/${name}`;
}

export function needsAdminConsent(qualified: string, registry: DevRegistry): boolean {
  const slash = qualified.lastIndexOf('/');
  const appId = qualified.slice(0, slash);
  const name = qualified.slice(slash + 1);
  if (appId === GRAPH_APP_ID) return GRAPH_DELEGATED_SCOPES[name]?.adminConsentRequired ?? true;
  return registry.apps.get(appId)?.exposedScopes.find((s) => s.value === name)?.adminConsentRequired ?? true;
}

export interface ConsentDecision {
  /** Permissions the token will carry on the resource (names, no prefix). */
  granted: string[];
  /** Qualified permissions still lacking consent (OIDC scopes included as Graph's). */
  missing: string[];
}

/**
 * What the client may have for this user: pre-authorized and first-party clients need no consent;
 * otherwise tenant-wide and per-user grants decide. `.default` means "whatever is consented".
 */
export function decideConsent(registry: DevRegistry, tenant: DevTenant, client: DevApp, user: DevUser | undefined, request: ScopeRequest): ConsentDecision {
  const wanted = [...[...request.oidc].map((s) => `${GRAPH_APP_ID}/${s}`), ...request.scopes.map((s) => qualify(request.resource, s))];
  const r = request.resource;
  const trusted =
    client.firstParty === true ||
    (r.kind === 'app' && (r.app.clientId === client.clientId ? false : r.app.preAuthorizedClientIds.includes(client.clientId)));
  const consented = tenant.consents.granted(client.clientId, user?.id);
  const resourcePrefix = `${resourceAppId(r)}/`;
  if (request.isDefault) {
    const granted = [...consented].filter((q) => q.startsWith(resourcePrefix)).map((q) => q.slice(resourcePrefix.length)).filter((n) => !OIDC_SCOPES.has(n));
    const missing = trusted ? [] : wanted.filter((q) => !consented.has(q));
    if (granted.length === 0 && !trusted) missing.push(`${resourcePrefix}.default`);
    return { granted, missing };
  }
  const missing = trusted ? [] : wanted.filter((q) => !consented.has(q));
  return { granted: request.scopes, missing };
}
