import { Body1, Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { errorMessage } from '../util/errors';

const useStyles = makeStyles({
  center: { display: 'flex', justifyContent: 'center', alignItems: 'center', padding: tokens.spacingVerticalXXXL, minHeight: '12rem' },
});

/** Something is on its way; the label says what, for sighted and screen reader users alike. */
export function Loading({ label }: { label: string }) {
  const styles = useStyles();
  return (
    <div className={styles.center}>
      <Spinner label={label} />
    </div>
  );
}

/** A failure with what happened and, when it can help, a way to try again. */
export function ErrorPanel({ title, error, onRetry, testId }: { title: string; error: unknown; onRetry?: () => void; testId?: string }) {
  return (
    <MessageBar intent="error" layout="multiline" data-testid={testId ?? 'error-panel'}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        <Body1>{errorMessage(error)}</Body1>
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
