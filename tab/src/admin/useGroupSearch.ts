import { useEffect, useState } from 'react';
import type { AdminGroup, AdminGroupsResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { errorText, isAbort } from './format';

export interface GroupSearch {
  /** The query these results answer (trimmed); '' before the first search. */
  query: string;
  groups: AdminGroup[];
  loading: boolean;
  error: string | undefined;
}

const DEBOUNCE_MS = 250;
const LIMIT = 20;

/**
 * Entra groups whose name or mail starts with `text`, searched as the administrator types: waits for a
 * pause in typing, and aborts the request for an earlier text so a slow answer cannot replace a newer one.
 */
export function useGroupSearch(api: ApiClient, text: string): GroupSearch {
  const query = text.trim();
  const [state, setState] = useState<GroupSearch>({ query: '', groups: [], loading: false, error: undefined });

  useEffect(() => {
    if (!query) {
      setState({ query: '', groups: [], loading: false, error: undefined });
      return;
    }
    setState((s) => ({ ...s, loading: true, error: undefined }));
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api
        .get<AdminGroupsResponse>(`/admin/groups?search=${encodeURIComponent(query)}&limit=${LIMIT}`, { signal: abort.signal })
        .then(
          (res) => setState({ query, groups: res.groups, loading: false, error: undefined }),
          (err: unknown) => {
            if (abort.signal.aborted || isAbort(err)) return;
            setState({ query, groups: [], loading: false, error: errorText(err) });
          },
        );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [api, query]);

  return state;
}
