import { Checkbox, makeStyles, Text, tokens } from '@fluentui/react-components';
import type { ContactField } from '../../../src/server/tab-api-types';
import { fieldLabel } from './format';
import { IssueMessages } from './IssueMessages';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, border: 'none', margin: 0, padding: 0 },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXS },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(14rem, 1fr))' },
  note: { color: tokens.colorNeutralForeground3 },
});

export interface HiddenFieldsEditorProps {
  hidden: readonly ContactField[];
  /** The fields the server lets an administrator hide (everything but the names). */
  hideable: readonly ContactField[];
  all: readonly ContactField[];
  onChange(hidden: ContactField[]): void;
  issues?: readonly string[];
}

/** Contact fields never shown to anyone, as checkboxes; names cannot be hidden and are not offered. */
export function HiddenFieldsEditor({ hidden, hideable, all, onChange, issues }: HiddenFieldsEditorProps) {
  const styles = useStyles();
  const set = new Set(hidden);
  const names = all.filter((f) => !hideable.includes(f));
  const toggle = (field: ContactField, on: boolean) => onChange(on ? [...hidden.filter((f) => f !== field), field] : hidden.filter((f) => f !== field));
  return (
    <fieldset className={styles.root} data-testid="admin-hidden-fields">
      <legend className={styles.legend}>
        <Text weight="semibold">Hide these fields from everyone</Text>
      </legend>
      <div className={styles.grid}>
        {hideable.map((field) => (
          <Checkbox
            key={field}
            label={fieldLabel(field)}
            checked={set.has(field)}
            onChange={(_e, data) => toggle(field, data.checked === true)}
            data-testid={`admin-hidden-field-${field}`}
          />
        ))}
      </div>
      {names.length > 0 && (
        <Text size={200} className={styles.note}>
          Names ({names.map(fieldLabel).join(', ').toLowerCase()}) identify a contact and are always shown.
        </Text>
      )}
      <IssueMessages messages={issues} />
    </fieldset>
  );
}
