import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import { isAbort } from '../util/errors';

export type Resource<T> = { status: 'loading'; data?: T } | { status: 'ready'; data: T } | { status: 'error'; error: unknown; data?: T };

/**
 * GET `path` once, and again on reload() or when `refreshKey` changes (e.g. back online). Keeps the
 * last data while reloading, so a list does not flash empty; aborts a request that is no longer wanted.
 */
export function useResource<T>(api: ApiClient, path: string, refreshKey: unknown = 0): Resource<T> & { reload: () => void } {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ status: 'loading', ...(s.data !== undefined ? { data: s.data } : {}) }));
    api.get<T>(path, { signal: abort.signal }).then(
      (data) => setState({ status: 'ready', data }),
      (error: unknown) => {
        if (!isAbort(error)) setState((s) => ({ status: 'error', error, ...(s.data !== undefined ? { data: s.data } : {}) }));
      },
    );
    return () => abort.abort();
  }, [api, path, attempt, refreshKey]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
