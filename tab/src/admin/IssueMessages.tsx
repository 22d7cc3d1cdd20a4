import { makeStyles, Text, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  item: { color: tokens.colorPaletteRedForeground1 },
});

/** Problems with one field of the policy, shown next to it. Renders nothing when there are none. */
export function IssueMessages({ id, messages }: { id?: string; messages: readonly string[] | undefined }) {
  const styles = useStyles();
  if (!messages?.length) return null;
  return (
    <ul id={id} className={styles.list} data-testid="admin-field-issue">
      {messages.map((message, i) => (
        <li key={i} className={styles.item}>
          <Text size={200} className={styles.item}>
            {message}
          </Text>
        </li>
      ))}
    </ul>
  );
}
