import { Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, tokens } from '@fluentui/react-components';
import type { SaveOutcome } from './usePolicyEditor';

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

export interface SaveOutcomeMessageProps {
  outcome: SaveOutcome | undefined;
  /** Problems that no field of the editor shows (placed by placeIssues into 'general'). */
  general: readonly string[] | undefined;
  /** Whether some problems are shown next to their fields. */
  placedElsewhere: boolean;
  onReload(): void;
}

/** The result of Save: the changes made, a conflict with another administrator, or what is wrong. */
export function SaveOutcomeMessage({ outcome, general, placedElsewhere, onReload }: SaveOutcomeMessageProps) {
  const styles = useStyles();
  const list = (lines: readonly string[], testId: string) => (
    <ul className={styles.list} data-testid={testId}>
      {lines.map((line, i) => (
        <li key={i}>{line}</li>
      ))}
    </ul>
  );

  return (
    <div aria-live="polite">
      {outcome?.kind === 'saved' && (
        <MessageBar intent="success" layout="multiline" data-testid="admin-save-result">
          <MessageBarBody>
            <MessageBarTitle>Policy saved (version {outcome.version})</MessageBarTitle>
            {outcome.changes.length ? list(outcome.changes, 'admin-save-changes') : 'Nothing changed.'} Devices get the change at their next sync.
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome?.kind === 'conflict' && (
        <MessageBar intent="warning" layout="multiline" data-testid="admin-policy-conflict">
          <MessageBarBody>
            <MessageBarTitle>Someone else saved the policy</MessageBarTitle>
            Another administrator saved a new version after you opened this page, so yours was not saved. Reload to see their policy, then make your
            changes again (reloading discards your unsaved edits).
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={onReload} data-testid="admin-policy-reload">
              Reload the policy
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {outcome?.kind === 'error' && (
        <MessageBar intent="error" layout="multiline" data-testid="admin-save-error">
          <MessageBarBody>
            <MessageBarTitle>The policy was not saved</MessageBarTitle>
            {outcome.message}
          </MessageBarBody>
        </MessageBar>
      )}
      {(outcome?.kind === 'invalid' || general?.length) && (
        <MessageBar intent="error" layout="multiline" data-testid="admin-policy-issues">
          <MessageBarBody>
            <MessageBarTitle>{outcome?.kind === 'invalid' ? 'The policy was not saved' : 'The policy has problems'}</MessageBarTitle>
            {general?.length ? list(general, 'admin-policy-issue-list') : null}
            {placedElsewhere ? 'Fix the problems marked in the editor.' : null}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
