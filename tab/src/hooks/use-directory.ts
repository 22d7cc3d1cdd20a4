import { useCallback, useEffect, useRef, useState } from 'react';
import type { DirectoryContact, DirectoryResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { isAbort } from '../util/errors';

export interface DirectoryQuery {
  q: string;
  department?: string | undefined;
  office?: string | undefined;
  group?: string | undefined;
}

export interface DirectoryState {
  /** Every page loaded so far for the current query. */
  contacts: DirectoryContact[];
  /** Matches over all pages; undefined before the first answer. */
  total: number | undefined;
  facets: DirectoryResponse['facets'] | undefined;
  /** The query the shown contacts answer (the previous one until a new query's first page arrives). */
  answered: DirectoryQuery | undefined;
  hasMore: boolean;
  /** The first page of a new query is on its way (the previous results stay until it arrives). */
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
  loadMore: () => void;
  retry: () => void;
}

/** Large pages keep round trips few while scrolling; the server allows up to 500. */
const PAGE_SIZE = 200;

export function directoryPath(query: DirectoryQuery, cursor?: string): string {
  const params = new URLSearchParams();
  const q = query.q.trim();
  if (q) params.set('q', q);
  if (query.department) params.set('department', query.department);
  if (query.office) params.set('office', query.office);
  if (query.group) params.set('group', query.group);
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(PAGE_SIZE));
  return `/directory?${params}`;
}

/**
 * The directory for a query, page by page: a new query aborts everything still loading for the old
 * one (so a slow answer never replaces a newer one), and loadMore() follows nextCursor.
 */
export function useDirectory(api: ApiClient, query: DirectoryQuery, refreshKey: unknown = 0): DirectoryState {
  const [state, setState] = useState<Omit<DirectoryState, 'loadMore' | 'retry'>>({
    contacts: [], total: undefined, facets: undefined, answered: undefined, hasMore: false, loading: true, loadingMore: false, error: undefined,
  });
  const [attempt, setAttempt] = useState(0);
  // The current query's abort controller and next cursor: loadMore reads them without re-rendering.
  const current = useRef<{ abort: AbortController; cursor: string | null; busy: boolean } | undefined>(undefined);
  const key = JSON.stringify([query.q.trim(), query.department ?? '', query.office ?? '', query.group ?? '']);

  useEffect(() => {
    const asked = { ...query, q: query.q.trim() };
    const abort = new AbortController();
    const run = { abort, cursor: null as string | null, busy: true };
    current.current = run;
    setState((s) => ({ ...s, loading: true, loadingMore: false, error: undefined }));
    api.get<DirectoryResponse>(directoryPath(query), { signal: abort.signal }).then(
      (page) => {
        run.cursor = page.nextCursor;
        run.busy = false;
        setState({ contacts: page.contacts, total: page.total, facets: page.facets, answered: asked, hasMore: page.nextCursor !== null, loading: false, loadingMore: false, error: undefined });
      },
      (error: unknown) => {
        run.busy = false;
        if (!isAbort(error)) setState((s) => ({ ...s, loading: false, error }));
      },
    );
    return () => abort.abort();
    // `key` stands for the query's fields; the object itself is new on every render.
  }, [api, key, attempt, refreshKey]);

  const loadMore = useCallback(() => {
    const run = current.current;
    if (!run || run.busy || !run.cursor || run.abort.signal.aborted) return;
    run.busy = true;
    setState((s) => ({ ...s, loadingMore: true }));
    api.get<DirectoryResponse>(directoryPath(query, run.cursor), { signal: run.abort.signal }).then(
      (page) => {
        run.cursor = page.nextCursor;
        run.busy = false;
        setState((s) => ({ ...s, contacts: s.contacts.concat(page.contacts), total: page.total, hasMore: page.nextCursor !== null, loadingMore: false }));
      },
      (error: unknown) => {
        run.busy = false;
        if (!isAbort(error)) setState((s) => ({ ...s, loadingMore: false, error }));
      },
    );
  }, [api, key]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, loadMore, retry };
}
