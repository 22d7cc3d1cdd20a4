import { makeStyles, Switch, Text, tokens } from '@fluentui/react-components';
import { useId } from 'react';
import type { Policy } from '../../../src/server/tab-api-types';
import { IssueMessages } from './IssueMessages';
import { EXCLUSIONS } from './policy-draft';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, border: 'none', margin: 0, padding: 0 },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXS },
  item: { display: 'flex', flexDirection: 'column' },
  hint: { color: tokens.colorNeutralForeground3, paddingLeft: tokens.spacingHorizontalXXXL },
});

export interface ExclusionsEditorProps {
  exclude: Policy['exclude'];
  onChange(exclude: Policy['exclude']): void;
  issues?: readonly string[];
}

/** Kinds of account nobody is shown, one switch each (on = never shown). */
export function ExclusionsEditor({ exclude, onChange, issues }: ExclusionsEditorProps) {
  const styles = useStyles();
  const base = useId();
  return (
    <fieldset className={styles.root} data-testid="admin-exclusions">
      <legend className={styles.legend}>
        <Text weight="semibold">Never show these accounts to anyone</Text>
      </legend>
      {EXCLUSIONS.map(({ key, label, hint }) => (
        <div key={key} className={styles.item}>
          <Switch
            label={label}
            checked={exclude[key]}
            onChange={(_e, data) => onChange({ ...exclude, [key]: data.checked })}
            aria-describedby={`${base}-${key}`}
            data-testid={`admin-exclude-${key}`}
          />
          <Text id={`${base}-${key}`} size={200} className={styles.hint}>
            {hint}
          </Text>
        </div>
      ))}
      <IssueMessages messages={issues} />
    </fieldset>
  );
}
