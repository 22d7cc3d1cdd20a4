import { makeStyles, mergeClasses, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens } from '@fluentui/react-components';
import type { PreviewState } from './usePolicyPreview';
import { formatCount, groupLabel } from './format';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  heading: { margin: 0 },
  result: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  // Marked by a dashed rule and a note rather than faded, so the figures keep their contrast.
  stale: { borderLeft: `${tokens.strokeWidthThick} dashed ${tokens.colorNeutralStroke1}`, paddingLeft: tokens.spacingHorizontalM },
  figures: { display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalXS, margin: 0 },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, fontWeight: tokens.fontWeightSemibold },
  note: { color: tokens.colorNeutralForeground3 },
  error: { color: tokens.colorPaletteRedForeground1 },
  changes: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const TOP_AUDIENCES = 5;

export interface PolicyPreviewPanelProps {
  state: PreviewState;
  /** Why no preview is asked for right now (a mapping being filled in), if that is the case. */
  waiting: string | undefined;
  names: Record<string, string | null | undefined>;
}

/** What the draft would do: users receiving contacts, contacts per user, the largest audiences, the changes. */
export function PolicyPreviewPanel({ state, waiting, names }: PolicyPreviewPanelProps) {
  const styles = useStyles();
  const { preview, current, loading, error } = state;
  const top = preview?.audiences.slice(0, TOP_AUDIENCES) ?? [];
  const nameOf = (id: string) => groupLabel(id, { ...names, ...preview?.groupNames });

  return (
    <section className={styles.root} aria-labelledby="admin-preview-heading" aria-busy={loading} data-testid="admin-preview">
      <Text as="h4" id="admin-preview-heading" size={400} weight="semibold" className={styles.heading}>
        Effect of this policy
      </Text>
      <div aria-live="polite">
        {waiting && (
          <Text size={200} className={styles.note}>
            {waiting}
          </Text>
        )}
        {!waiting && loading && <Spinner size="extra-tiny" labelPosition="after" label="Updating the preview…" data-testid="admin-preview-loading" />}
        {!waiting && !loading && error && (
          <Text size={200} className={styles.error} role="alert">
            The preview failed: {error}
          </Text>
        )}
        {!waiting && !loading && state.issues.length > 0 && (
          <Text size={200} className={styles.error}>
            The server cannot preview this draft; see the problems marked in the editor.
          </Text>
        )}
      </div>
      {preview && (
        <div className={mergeClasses(styles.result, !current && styles.stale)} data-testid="admin-preview-result" data-current={current}>
          {!current && !loading && (
            <Text size={200} weight="semibold" data-testid="admin-preview-stale">
              This preview is of an earlier draft.
            </Text>
          )}
          <dl className={styles.figures}>
            <dt className={styles.term}>Users receiving contacts</dt>
            <dd className={styles.value} data-testid="admin-preview-users" data-value={preview.usersReceiving}>
              {formatCount(preview.usersReceiving)}
            </dd>
            <dt className={styles.term}>Contacts per user</dt>
            <dd
              className={styles.value}
              data-testid="admin-preview-contacts"
              data-min={preview.contactsPerUser.min}
              data-median={preview.contactsPerUser.median}
              data-max={preview.contactsPerUser.max}
            >
              {preview.usersReceiving === 0
                ? '—'
                : `min ${formatCount(preview.contactsPerUser.min)}, median ${formatCount(preview.contactsPerUser.median)}, max ${formatCount(preview.contactsPerUser.max)}`}
            </dd>
          </dl>
          {preview.usersReceiving === 0 && (
            <Text size={200} className={styles.note} data-testid="admin-preview-nobody">
              Nobody would receive contacts: no user is in a receiving group.
            </Text>
          )}
          {top.length > 0 && (
            <Table size="small" aria-label={`Largest audiences (top ${TOP_AUDIENCES})`} data-testid="admin-preview-audiences">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Sees the members of</TableHeaderCell>
                  <TableHeaderCell>Users</TableHeaderCell>
                  <TableHeaderCell>Contacts</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {top.map((a) => (
                  <TableRow key={a.key} data-testid="admin-preview-audience">
                    <TableCell>{a.visibleGroups.map(nameOf).join(', ')}</TableCell>
                    <TableCell>{formatCount(a.users)}</TableCell>
                    <TableCell>{formatCount(a.contacts)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Text as="h5" weight="semibold" className={styles.heading}>
            Changes from the saved policy
          </Text>
          {preview.changes.length === 0 ? (
            <Text size={200} className={styles.note} data-testid="admin-preview-no-changes">
              None: this is the saved policy.
            </Text>
          ) : (
            <ul className={styles.changes} data-testid="admin-preview-changes">
              {preview.changes.map((line, i) => (
                <li key={i}>
                  <Text size={200}>{line}</Text>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
