import { Body1, Button, Caption1, Link, MessageBar, MessageBarBody, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiRequestError } from '../api/client';
import type { Session } from '../auth/session';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '40rem', paddingBlock: tokens.spacingVerticalXL },
  title: { margin: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  admin: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, paddingTop: tokens.spacingVerticalM, borderTop: `1px solid ${tokens.colorNeutralStroke2}` },
  link: { wordBreak: 'break-all' },
});

/** The API's 401 codes that a person can resolve by signing in or approving, rather than by waiting. */
export function isChallenge(err: unknown): err is ApiRequestError {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ConsentRequired' || code === 'InteractionRequired';
}

/**
 * What to do when Switchboard may not read the directory for this person yet: approve it (first run:
 * an administrator must, once, for the organisation), or sign in again for a claims challenge (MFA).
 */
export function ChallengePanel({ error, session, onRetry }: { error: ApiRequestError; session: Session; onRetry: () => void }) {
  const styles = useStyles();
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  // In Teams the pop-up resolves and we retry; in a browser these navigate away and never return here.
  const act = (action: () => Promise<void>) => async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
      onRetry();
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (error.code === 'InteractionRequired') {
    return (
      <section className={styles.root} data-testid="claims-needed" aria-labelledby="challenge-title">
        <Title2 as="h2" id="challenge-title" className={styles.title}>
          Please sign in again
        </Title2>
        <Body1>Your organisation asks you to confirm your sign-in (for example with multi-factor authentication) before Switchboard can read the directory for you.</Body1>
        <div className={styles.actions}>
          <Button appearance="primary" disabled={busy} data-testid="claims-button"
            onClick={act(() => session.resolveChallenge(error.claims ? { kind: 'claims', claims: error.claims } : { kind: 'consent' }))}>
            Sign in again
          </Button>
        </div>
        {problem && <Problem text={problem} />}
      </section>
    );
  }

  return (
    <section className={styles.root} data-testid="consent-needed" aria-labelledby="challenge-title">
      <Title2 as="h2" id="challenge-title" className={styles.title}>
        Switchboard needs approval
      </Title2>
      <Body1>
        Before Switchboard can show your company directory, an administrator of your organisation must approve Switchboard once. It only reads
        the directory (names, job titles, phone numbers and group memberships) and never changes anything.
      </Body1>
      <Body1>If your administrator has approved it since, try again. If you may approve apps yourself, review the permissions and approve them.</Body1>
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy} data-testid="consent-button" onClick={act(() => session.resolveChallenge({ kind: 'consent' }))}>
          Review and approve
        </Button>
        <Button disabled={busy} onClick={onRetry} data-testid="consent-retry">
          Try again
        </Button>
      </div>
      {problem && <Problem text={problem} />}
      {session.adminConsentUrl && (
        <div className={styles.admin}>
          <Body1>
            <strong>Administrators:</strong> approve Switchboard for everyone in your organisation in one step.
          </Body1>
          <div className={styles.actions}>
            <Button disabled={busy} data-testid="admin-consent-button" onClick={act(() => session.approveForOrganisation())}>
              Approve for my organisation
            </Button>
          </div>
          <Caption1>
            Not an administrator? Send this link to one:{' '}
            <Link className={styles.link} href={session.adminConsentUrl} target="_blank" rel="noopener noreferrer" data-testid="admin-consent-link">
              {session.adminConsentUrl}
            </Link>
          </Caption1>
        </div>
      )}
    </section>
  );
}

function Problem({ text }: { text: string }) {
  return (
    <MessageBar intent="warning" data-testid="challenge-problem">
      <MessageBarBody>{text}</MessageBarBody>
    </MessageBar>
  );
}
