import type { TenantProblem } from '../commands/replies.js';

/** The role to ask when no administrator's name is known. */
const ADMIN_ROLE = 'your Switchboard administrator (or your IT department)';

/** "Ask Ethan Walker or Mia Chen", or the role when no name is known. */
export function askWhomText(names: string[]): string {
  if (names.length === 0) return ADMIN_ROLE;
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]!}`;
}

/** What an administrator must do before anyone in the organisation can use the bot. */
export function tenantProblemText(problem: TenantProblem): string {
  return problem === 'unknown-tenant'
    ? 'Switchboard is not set up for your organisation yet. A Microsoft 365 administrator of your organisation needs to open the Switchboard tab in Teams, sign in and grant admin consent to its read-only directory permissions, then choose on the tab\'s admin page which groups receive contacts. Message me again once that is done.'
    : 'Your organisation has not granted Switchboard admin consent (or has withdrawn it), so Switchboard cannot read your directory. An administrator needs to grant consent: in the Microsoft Entra admin centre under Enterprise applications → Switchboard → Permissions → Grant admin consent, or from the Switchboard tab\'s admin page. Message me again once that is done.';
}
