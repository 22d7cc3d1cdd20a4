import {
  Badge,
  Button,
  Field,
  InteractionTag,
  InteractionTagPrimary,
  InteractionTagSecondary,
  makeStyles,
  SearchBox,
  Spinner,
  TagGroup,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useId, useRef, useState } from 'react';
import type { AdminGroup } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { groupKind, groupLabel, plural } from './format';
import { IssueMessages } from './IssueMessages';
import { useGroupSearch } from './useGroupSearch';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  tags: { flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  results: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    maxHeight: '18rem',
    overflowY: 'auto',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  result: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    ':not(:last-child)': { borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}` },
  },
  resultText: { display: 'flex', flexDirection: 'column', flex: '1 1 10rem', minWidth: 0 },
  secondary: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  meta: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexShrink: 0, marginLeft: 'auto' },
  status: { color: tokens.colorNeutralForeground3 },
});

export interface GroupPickerProps {
  api: ApiClient;
  /** What the chosen groups are for, e.g. "Groups that receive contacts". */
  label: string;
  hint?: string;
  /** Label of the search box, e.g. "Search groups to add". */
  searchLabel: string;
  selected: readonly string[];
  /** The new selection; `picked` is the group just added, so its name is known before the next save. */
  onChange(selected: string[], picked?: AdminGroup): void;
  names: Record<string, string | null | undefined>;
  /** One group only (a mapping's audience): picking replaces the current one. */
  single?: boolean;
  issues?: readonly string[];
  /** Focus the search box when mounted (a mapping row just added). */
  autoFocus?: boolean;
  /** Prefix of the data-testids: `${testId}-search`, `-result`, `-add`, `-tag`, `-remove`. */
  testId: string;
}

/** Chosen groups as removable tags, and a search-as-you-type list of Entra groups to add from. */
export function GroupPicker({ api, label, hint, searchLabel, selected, onChange, names, single, issues, autoFocus, testId }: GroupPickerProps) {
  const styles = useStyles();
  const labelId = useId();
  const hintId = useId();
  const issuesId = useId();
  const statusId = useId();
  const [text, setText] = useState('');
  const searchBox = useRef<HTMLInputElement>(null);
  const search = useGroupSearch(api, text);
  const chosen = new Set(selected);

  const pick = (group: AdminGroup) => {
    if (chosen.has(group.id)) return;
    onChange(single ? [group.id] : [...selected, group.id], group);
    if (single) {
      // One group only: done searching. The results (and the focused button) go; focus returns to the box.
      setText('');
      searchBox.current?.focus();
    }
  };
  const remove = (id: string) => {
    onChange(selected.filter((g) => g !== id));
    // The tag list goes with its last tag; keep the keyboard user in the picker.
    if (selected.length === 1) searchBox.current?.focus();
  };

  const typed = text.trim();
  const searching = typed !== '' && (search.loading || search.query !== typed);
  let status = '';
  if (searching) status = 'Searching…';
  else if (search.error) status = `Search failed: ${search.error}`;
  else if (typed && search.groups.length === 0) status = `No group name or email starts with “${typed}”.`;
  else if (typed) status = `${plural(search.groups.length, 'group')} found.`;

  return (
    <div className={styles.root} role="group" aria-labelledby={labelId} aria-describedby={hint ? hintId : undefined}>
      <Text id={labelId} weight="semibold">
        {label}
      </Text>
      {hint && (
        <Text id={hintId} size={200} className={styles.secondary}>
          {hint}
        </Text>
      )}
      {selected.length === 0 ? (
        <Text size={200} className={styles.status} data-testid={`${testId}-none`}>
          {single ? 'No group chosen.' : 'No groups chosen.'}
        </Text>
      ) : (
        <TagGroup className={styles.tags} aria-label={label} onDismiss={(_e, data) => remove(String(data.value))}>
          {selected.map((id) => {
            const missing = names[id] === null;
            const name = missing ? 'Unknown group' : groupLabel(id, names);
            return (
              <InteractionTag key={id} value={id} appearance={missing ? 'outline' : 'brand'} data-testid={`${testId}-tag`} data-group-id={id}>
                <InteractionTagPrimary hasSecondaryAction secondaryText={missing ? `Not in the directory: ${id}` : undefined}>
                  {name}
                </InteractionTagPrimary>
                <InteractionTagSecondary aria-label={`Remove ${missing ? `unknown group ${id}` : name}`} data-testid={`${testId}-remove`} />
              </InteractionTag>
            );
          })}
        </TagGroup>
      )}
      <IssueMessages id={issuesId} messages={issues} />
      <Field label={searchLabel} validationState={issues?.length ? 'error' : 'none'}>
        <SearchBox
          ref={searchBox}
          value={text}
          onChange={(_e, data) => setText(data.value)}
          placeholder="Type the start of a group name or email"
          autoFocus={autoFocus}
          aria-describedby={[statusId, issues?.length ? issuesId : ''].filter(Boolean).join(' ')}
          data-testid={`${testId}-search`}
        />
      </Field>
      <Text id={statusId} size={200} className={styles.status} aria-live="polite" data-testid={`${testId}-status`}>
        {searching ? <Spinner size="extra-tiny" label={status} labelPosition="after" /> : status}
      </Text>
      {search.groups.length > 0 && typed && (
        <ul className={styles.results} aria-label={`Groups matching “${search.query}”`}>
          {search.groups.map((group) => {
            const name = group.displayName ?? group.mail ?? group.id;
            const added = chosen.has(group.id);
            return (
              <li key={group.id} className={styles.result} data-testid={`${testId}-result`} data-group-id={group.id}>
                <div className={styles.resultText}>
                  <Text weight="semibold">{name}</Text>
                  {group.mail && (
                    <Text size={200} className={styles.secondary}>
                      {group.mail}
                    </Text>
                  )}
                </div>
                <div className={styles.meta}>
                  <Badge appearance="tint" color={group.unified ? 'brand' : 'informative'}>
                    {groupKind(group)}
                  </Badge>
                  <Text size={200}>{plural(group.userCount, 'user')}</Text>
                  <Button
                    size="small"
                    appearance={added ? 'subtle' : 'secondary'}
                    disabledFocusable={added}
                    onClick={() => pick(group)}
                    aria-label={`${added ? (single ? 'Chosen' : 'Added') : single ? 'Choose' : 'Add'} ${name}`}
                    data-testid={`${testId}-add`}
                  >
                    {added ? (single ? 'Chosen' : 'Added') : single ? 'Choose' : 'Add'}
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
