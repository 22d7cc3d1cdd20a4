import { Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Text, tokens } from '@fluentui/react-components';
import { useCallback, useMemo } from 'react';
import type { AdminGroup, PolicyIssue } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { ExclusionsEditor } from './ExclusionsEditor';
import { groupLabel } from './format';
import { GroupPicker } from './GroupPicker';
import { HiddenFieldsEditor } from './HiddenFieldsEditor';
import { MappingsEditor } from './MappingsEditor';
import { localIssues, placeIssues } from './policy-draft';
import { PolicyPreviewPanel } from './PolicyPreviewPanel';
import { SaveOutcomeMessage } from './SaveOutcomeMessage';
import { usePolicyEditor } from './usePolicyEditor';
import { usePolicyPreview } from './usePolicyPreview';

const useStyles = makeStyles({
  layout: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 3fr) minmax(18rem, 2fr)',
    gap: tokens.spacingHorizontalXXL,
    alignItems: 'start',
    '@media (max-width: 900px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  editor: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXL, minWidth: 0 },
  side: {
    position: 'sticky',
    top: tokens.spacingVerticalM,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    padding: tokens.spacingHorizontalL,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    '@media (max-width: 900px)': { position: 'static' },
  },
  actions: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  note: { color: tokens.colorNeutralForeground3 },
});

function dedupe(issues: PolicyIssue[]): PolicyIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\n${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Groups & policy: the editor, the live preview of its effect, and Save. */
export function PolicySection({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const editor = usePolicyEditor(api);
  const { draft, saved, names, edit, learnNames } = editor;
  const pending = useMemo(() => (draft ? localIssues(draft) : []), [draft]);
  const preview = usePolicyPreview(api, draft, pending.length === 0, learnNames);
  const onPicked = useCallback((group?: AdminGroup) => group && learnNames([group]), [learnNames]);

  if (!saved || !draft) {
    return editor.loadError ? (
      <MessageBar intent="error" data-testid="admin-policy-load-error">
        <MessageBarBody>
          <MessageBarTitle>The policy could not be loaded</MessageBarTitle>
          {editor.loadError}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={editor.reload}>Try again</Button>
        </MessageBarActions>
      </MessageBar>
    ) : (
      <Spinner label="Loading the policy…" />
    );
  }

  const saveIssues = editor.outcome?.kind === 'invalid' ? editor.outcome.issues : [];
  const issues = dedupe([...pending, ...preview.issues, ...saveIssues]);
  const nameOf = (id: string) => groupLabel(id, names);
  const placed = placeIssues(issues, draft, nameOf);
  const canSave = editor.dirty && !editor.saving && pending.length === 0;

  return (
    <div className={styles.layout}>
      <div className={styles.editor}>
        {editor.loadError && (
          <MessageBar intent="warning">
            <MessageBarBody>The policy could not be refreshed: {editor.loadError}</MessageBarBody>
          </MessageBar>
        )}
        <GroupPicker
          api={api}
          label="Groups that receive contacts"
          hint="A member of any of these groups (nested groups count) receives the members of the ones they belong to. Someone in none of them receives nothing."
          searchLabel="Search groups to add"
          selected={draft.groups}
          onChange={(groups, picked) => {
            onPicked(picked);
            edit((p) => ({ ...p, groups }));
          }}
          names={names}
          issues={placed.get('groups')}
          testId="admin-group"
        />
        <MappingsEditor
          api={api}
          mappings={draft.mappings}
          onChange={(mappings) => edit((p) => ({ ...p, mappings }))}
          names={names}
          onPicked={onPicked}
          issues={placed}
        />
        <ExclusionsEditor exclude={draft.exclude} onChange={(exclude) => edit((p) => ({ ...p, exclude }))} issues={placed.get('exclude')} />
        <HiddenFieldsEditor
          hidden={draft.hiddenFields}
          hideable={saved.fields.hideable}
          all={saved.fields.all}
          onChange={(hiddenFields) => edit((p) => ({ ...p, hiddenFields }))}
          issues={placed.get('hiddenFields')}
        />
      </div>
      <aside className={styles.side} aria-label="Preview and save">
        <PolicyPreviewPanel state={preview} waiting={pending.length ? 'Finish the mappings marked in the editor to see the effect.' : undefined} names={names} />
        <SaveOutcomeMessage outcome={editor.outcome} general={placed.get('general')} placedElsewhere={issues.length > (placed.get('general')?.length ?? 0)} onReload={editor.reload} />
        <div className={styles.actions}>
          <Button appearance="primary" disabled={!canSave} onClick={editor.save} data-testid="admin-save">
            {editor.saving ? 'Saving…' : 'Save'}
          </Button>
          <Button disabled={!editor.dirty || editor.saving} onClick={editor.discard} data-testid="admin-discard">
            Discard changes
          </Button>
          {editor.saving && <Spinner size="extra-tiny" aria-label="Saving" />}
        </div>
        <Text size={200} className={styles.note} aria-live="polite" data-testid="admin-policy-state" data-dirty={editor.dirty} data-version={saved.version}>
          {editor.dirty
            ? pending.length
              ? 'Unsaved changes. Finish the mappings before saving.'
              : 'Unsaved changes. Devices get them at their next sync after you save.'
            : saved.version === 0
              ? 'No policy saved yet: nobody receives contacts until you choose groups and save.'
              : `Saved policy, version ${saved.version}.`}
        </Text>
      </aside>
    </div>
  );
}
