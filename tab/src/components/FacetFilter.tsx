import { Combobox, Field, Option, makeStyles } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';

export interface FacetOption {
  value: string;
  label: string;
  count: number;
}

/** Options rendered at once; a tenant may have thousands of groups, so typing narrows the list first. */
const MAX_SHOWN = 100;
const ALL = '__all__';

const useStyles = makeStyles({
  // Fluent's combobox asks for 250px; in the toolbar's grid it must fit its column instead.
  box: { minWidth: 0, width: '100%' },
});

/**
 * One filter of the directory (department, office or group): a combobox that narrows its options as
 * you type, with an "All …" choice that clears it.
 */
export function FacetFilter(props: { label: string; allLabel: string; options: FacetOption[]; value: string | undefined; onChange: (value: string | undefined) => void; testId: string }) {
  const { label, allLabel, options, value, onChange, testId } = props;
  const styles = useStyles();
  const selectedLabel = options.find((o) => o.value === value)?.label ?? '';
  const [text, setText] = useState(selectedLabel);
  // What the box should show once the list closes: the choice just made, not the half-typed filter.
  const shownLabel = useRef(selectedLabel);
  useEffect(() => {
    shownLabel.current = selectedLabel;
    setText(selectedLabel);
  }, [selectedLabel]);

  const needle = text.trim().toLocaleLowerCase();
  const filtering = needle !== '' && needle !== selectedLabel.toLocaleLowerCase();
  const matches = filtering ? options.filter((o) => o.label.toLocaleLowerCase().includes(needle)) : options;
  const shown = matches.slice(0, MAX_SHOWN);

  return (
    <Field label={label}>
      <Combobox
        className={styles.box}
        data-testid={testId}
        placeholder={allLabel}
        value={text}
        selectedOptions={[value ?? ALL]}
        onChange={(e) => setText(e.target.value)}
        onOptionSelect={(_, data) => {
          const next = !data.optionValue || data.optionValue === ALL ? undefined : data.optionValue;
          shownLabel.current = next ? (data.optionText ?? '') : '';
          setText(shownLabel.current);
          onChange(next);
        }}
        onOpenChange={(_, data) => {
          if (!data.open) setText(shownLabel.current);
        }}
      >
        <Option value={ALL} text={allLabel}>
          {allLabel}
        </Option>
        {shown.map((o) => (
          <Option key={o.value} value={o.value} text={o.label}>
            {`${o.label} (${o.count.toLocaleString()})`}
          </Option>
        ))}
        {matches.length > shown.length && (
          <Option disabled value="__more__" text="">
            {`Type to narrow down: ${(matches.length - shown.length).toLocaleString()} more`}
          </Option>
        )}
      </Combobox>
    </Field>
  );
}
