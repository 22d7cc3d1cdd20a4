import { Body1, Field, SearchBox, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import type { DirectoryContact, DirectoryResponse, MeResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import type { Session } from '../auth/session';
import { ContactCard } from '../components/ContactCard';
import { ContactList } from '../components/ContactList';
import { FacetFilter, type FacetOption } from '../components/FacetFilter';
import { NoAccess } from '../components/NoAccess';
import { ErrorPanel, Loading } from '../components/StatePanels';
import { useDebounced } from '../hooks/use-debounced';
import { useDirectory } from '../hooks/use-directory';
import { apiErrorCode } from '../util/errors';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, height: '100%', minHeight: 0 },
  toolbar: { display: 'grid', gridTemplateColumns: 'minmax(14rem, 2fr) repeat(3, minmax(10rem, 1fr))', gap: tokens.spacingHorizontalM, alignItems: 'end',
    '@media (max-width: 900px)': { gridTemplateColumns: '1fr 1fr' } },
  search: { width: '100%', maxWidth: 'none' },
  status: { color: tokens.colorNeutralForeground2, minHeight: '1.25rem' },
});

/** Search waits this long after the last key press: fast enough to feel live, few enough requests. */
const SEARCH_DEBOUNCE_MS = 150;

/** The directory tab. A person who receives no contacts sees only the explanation (the product's rule). */
export function DirectoryPage(props: { api: ApiClient; session: Session; me: MeResponse; refreshKey: number }) {
  if (!props.me.receivesContacts) return <NoAccess />;
  return <DirectoryView {...props} />;
}

function DirectoryView({ api, session, refreshKey }: { api: ApiClient; session: Session; refreshKey: number }) {
  const styles = useStyles();
  const [text, setText] = useState('');
  const [department, setDepartment] = useState<string>();
  const [office, setOffice] = useState<string>();
  const [group, setGroup] = useState<string>();
  const [open, setOpen] = useState<DirectoryContact>();
  const q = useDebounced(text, SEARCH_DEBOUNCE_MS);
  const directory = useDirectory(api, { q, department, office, group }, refreshKey);
  const facets = useFacetOptions(directory.facets);

  // Access can be withdrawn after /api/me answered (a policy change): the directory API then says so.
  if (apiErrorCode(directory.error) === 'NoAccess') return <NoAccess />;

  const filtered = Boolean(q.trim() || department || office || group);
  return (
    <div className={styles.page}>
      <div className={styles.toolbar} role="search" aria-label="Search the directory">
        <Field label="Search">
          <SearchBox className={styles.search} value={text} onChange={(_, data) => setText(data.value)} placeholder="Name, title, department, office or phone" autoFocus />
        </Field>
        <FacetFilter label="Department" allLabel="All departments" options={facets.departments} value={department} onChange={setDepartment} testId="facet-department" />
        <FacetFilter label="Office" allLabel="All offices" options={facets.offices} value={office} onChange={setOffice} testId="facet-office" />
        <FacetFilter label="Group" allLabel="All groups" options={facets.groups} value={group} onChange={setGroup} testId="facet-group" />
      </div>
      <Text
        className={styles.status}
        aria-live="polite"
        data-testid="directory-total"
        data-total={directory.total ?? ''}
        // What the shown results answer, so tests (and debugging) can tell a settled list from a stale one.
        data-q={directory.answered?.q ?? ''}
        data-department={directory.answered?.department ?? ''}
        data-busy={String(directory.loading)}
      >
        {directory.total === undefined ? '' : `${directory.total.toLocaleString()} ${directory.total === 1 ? 'person' : 'people'}${filtered ? ' match' : ''}${directory.loading ? ' · searching…' : ''}`}
      </Text>
      {directory.error !== undefined && <ErrorPanel title="The directory could not be loaded" error={directory.error} onRetry={directory.retry} />}
      {directory.total === undefined && directory.error === undefined ? (
        <Loading label="Loading the directory…" />
      ) : directory.total === 0 ? (
        <Body1 data-testid="directory-empty">{filtered ? 'Nobody matches this search. Try fewer words or clear a filter.' : 'There is nobody in your directory yet.'}</Body1>
      ) : (
        <ContactList
          contacts={directory.contacts}
          total={directory.total ?? directory.contacts.length}
          hasMore={directory.hasMore}
          loadingMore={directory.loadingMore}
          busy={directory.loading}
          queryKey={JSON.stringify(directory.answered ?? {})}
          onLoadMore={directory.loadMore}
          onOpen={setOpen}
        />
      )}
      <ContactCard contact={open} api={api} session={session} onClose={() => setOpen(undefined)} />
    </div>
  );
}

function useFacetOptions(facets: DirectoryResponse['facets'] | undefined): { departments: FacetOption[]; offices: FacetOption[]; groups: FacetOption[] } {
  return useMemo(
    () => ({
      departments: (facets?.departments ?? []).map((f) => ({ value: f.value, label: f.value, count: f.count })),
      offices: (facets?.offices ?? []).map((f) => ({ value: f.value, label: f.value, count: f.count })),
      groups: (facets?.groups ?? []).map((g) => ({ value: g.id, label: g.name, count: g.count })),
    }),
    [facets],
  );
}
