import type * as TeamsJs from '@microsoft/teams-js';

export type TeamsSdk = typeof TeamsJs;

/** What the tab needs from the Teams host once connected. */
export interface TeamsHost {
  sdk: TeamsSdk;
  /** "default", "dark", "contrast" (or "glass" in newer hosts). */
  theme: string;
  tenantId: string | undefined;
  loginHint: string | undefined;
}

let sdk: Promise<TeamsSdk> | undefined;

/** teams-js is loaded only when needed (in Teams, or in the consent pop-up), so browser users never download it. */
export function loadTeamsSdk(): Promise<TeamsSdk> {
  sdk ??= import('@microsoft/teams-js');
  return sdk;
}

let connecting: Promise<TeamsHost> | undefined;

/**
 * Connects to the Teams host: initialize, then read the context (theme, tenant, user). Shared by every
 * caller (React StrictMode mounts twice; initialize must run once).
 */
export function connectTeams(): Promise<TeamsHost> {
  connecting ??= (async () => {
    const teams = await loadTeamsSdk();
    await teams.app.initialize();
    const context = await teams.app.getContext();
    // The manifest may ask Teams to show its loading indicator until the app says it is ready.
    teams.app.notifySuccess().catch(() => undefined);
    return { sdk: teams, theme: context.app.theme, tenantId: context.user?.tenant?.id, loginHint: context.user?.loginHint };
  })();
  return connecting;
}
