import type { TokenSource } from '../api/client';
import type { AuthChallenge } from './consent';

/** The signed-in person as the host knows them, before the API has answered. */
export interface SessionAccount {
  name: string | null;
  username: string | null;
  tenantId: string | null;
}

/**
 * Sign-in as the rest of the tab sees it, whichever host it runs in (Teams SSO or msal-browser).
 */
export interface Session {
  readonly host: 'teams' | 'browser';
  readonly account: SessionAccount;
  readonly token: TokenSource;
  /**
   * Lets the person answer a consent or claims challenge. In Teams it opens a pop-up and resolves
   * when it reports success (then retry); in a browser it redirects away and never resolves.
   */
  resolveChallenge(challenge: AuthChallenge): Promise<void>;
  /** The admin consent page for this person's organisation, or undefined when the tenant is unknown. */
  readonly adminConsentUrl: string | undefined;
  /**
   * Takes an administrator through admin consent: a pop-up in Teams (resolves when done), the
   * consent page itself in a browser (never resolves).
   */
  approveForOrganisation(): Promise<void>;
  /** Opens a Teams deep link: through the host in Teams (a plain link would open inside the tab's frame). */
  openTeamsLink(url: string): void;
  /** Something the last sign-in round trip reported, e.g. consent that was declined. */
  readonly notice: string | undefined;
}
