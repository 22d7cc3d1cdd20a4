import { Button, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import type { AdminGroup, Policy } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { groupLabel } from './format';
import { GroupPicker } from './GroupPicker';
import { IssueMessages } from './IssueMessages';
import type { PlacedIssues } from './policy-draft';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  hint: { color: tokens.colorNeutralForeground3 },
  rows: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(16rem, 1fr))',
    gap: tokens.spacingHorizontalL,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  rowHeader: { gridColumn: '1 / -1', display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalM },
  heading: { margin: 0 },
  add: { alignSelf: 'flex-start' },
});

type Mapping = Policy['mappings'][number];

export interface MappingsEditorProps {
  api: ApiClient;
  mappings: readonly Mapping[];
  onChange(mappings: Mapping[]): void;
  names: Record<string, string | null | undefined>;
  onPicked(group: AdminGroup): void;
  issues: PlacedIssues;
}

let nextRowKey = 1;

/** Extra rules: members of an audience group also see the members of the chosen visible groups. */
export function MappingsEditor({ api, mappings, onChange, names, onPicked, issues }: MappingsEditorProps) {
  const styles = useStyles();
  const addButton = useRef<HTMLButtonElement>(null);
  const [focusRow, setFocusRow] = useState<number>();
  // Stable keys for rows, so that removing a row does not hand its search box to the next one.
  const keys = useRef<number[]>([]);
  while (keys.current.length < mappings.length) keys.current.push(nextRowKey++);
  keys.current.length = mappings.length;

  const update = (i: number, mapping: Mapping, picked?: AdminGroup) => {
    if (picked) onPicked(picked);
    onChange(mappings.map((m, j) => (j === i ? mapping : m)));
  };
  const add = () => {
    setFocusRow(mappings.length);
    onChange([...mappings, { audience: '', visible: [] }]);
  };
  const remove = (i: number) => {
    keys.current.splice(i, 1);
    onChange(mappings.filter((_m, j) => j !== i));
    addButton.current?.focus();
  };

  return (
    <section className={styles.root} aria-labelledby="admin-mappings-heading" data-testid="admin-mappings">
      <Text as="h4" id="admin-mappings-heading" weight="semibold" size={400} className={styles.heading}>
        Extra visibility
      </Text>
      <Text size={200} className={styles.hint}>
        Members of an audience group also see the members of other groups, for example Executives see Sales EU and Sales NA. An audience receives
        contacts even when it is not among the groups above; add it there too if its members should also see each other.
      </Text>
      <IssueMessages messages={issues.get('mappings')} />
      {mappings.length > 0 && (
        <ol className={styles.rows}>
          {mappings.map((mapping, i) => {
            const title = mapping.audience ? `${groupLabel(mapping.audience, names)} also see` : `Mapping ${i + 1}`;
            return (
              <li key={keys.current[i]} className={styles.row} data-testid="admin-mapping-row">
                <div className={styles.rowHeader}>
                  <Text as="h5" weight="semibold" className={styles.heading}>
                    {title}
                  </Text>
                  <Button appearance="subtle" size="small" onClick={() => remove(i)} aria-label={`Remove ${title}`} data-testid="admin-mapping-remove">
                    Remove
                  </Button>
                </div>
                <IssueMessages messages={issues.get(`mapping:${i}`)} />
                <GroupPicker
                  api={api}
                  single
                  label="Audience"
                  hint="People in this group…"
                  searchLabel={`Search for the audience group of mapping ${i + 1}`}
                  selected={mapping.audience ? [mapping.audience] : []}
                  onChange={(ids, picked) => update(i, { ...mapping, audience: ids[0] ?? '' }, picked)}
                  names={names}
                  issues={issues.get(`mapping:${i}:audience`)}
                  autoFocus={focusRow === i}
                  testId="admin-mapping-audience"
                />
                <GroupPicker
                  api={api}
                  label="Also see the members of"
                  hint="…see the members of these groups."
                  searchLabel={`Search for groups the audience of mapping ${i + 1} sees`}
                  selected={mapping.visible}
                  onChange={(ids, picked) => update(i, { ...mapping, visible: ids }, picked)}
                  names={names}
                  issues={issues.get(`mapping:${i}:visible`)}
                  testId="admin-mapping-visible"
                />
              </li>
            );
          })}
        </ol>
      )}
      <Button ref={addButton} className={styles.add} onClick={add} data-testid="admin-mapping-add">
        Add a mapping
      </Button>
    </section>
  );
}
