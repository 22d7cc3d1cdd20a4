import { useEffect, useState } from 'react';
import type { AdminPolicyPreview, Policy, PolicyIssue } from '../../../src/server/tab-api-types';
import { ApiRequestError, type ApiClient } from '../api/client';
import { errorText, isAbort } from './format';

export interface PreviewState {
  /** The preview of the latest draft previewed (possibly an older draft while `loading`). */
  preview: AdminPolicyPreview | undefined;
  /** True when `preview` (or `issues`) describes the current draft. */
  current: boolean;
  loading: boolean;
  error: string | undefined;
  /** The server's InvalidPolicy issues for the current draft. */
  issues: PolicyIssue[];
}

const DEBOUNCE_MS = 500;

/**
 * The effect of the draft (users receiving contacts, contacts per user, top audiences, changes), asked
 * of the server after each pause in editing, so the administrator always sees it before saving. Skipped
 * while `ready` is false (a mapping still being filled in); a stale request is aborted.
 */
export function usePolicyPreview(api: ApiClient, draft: Policy | undefined, ready: boolean, onNames: (names: Record<string, string | null>) => void): PreviewState {
  const key = draft && ready ? JSON.stringify(draft) : undefined;
  const [state, setState] = useState<{ key: string | undefined; preview?: AdminPolicyPreview; error?: string; issues: PolicyIssue[] }>({ key: undefined, issues: [] });
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!key) {
      setLoading(false);
      return;
    }
    setLoading(true);
    const abort = new AbortController();
    const policy = JSON.parse(key) as Policy;
    const timer = setTimeout(() => {
      api.send<AdminPolicyPreview>('POST', '/admin/policy/preview', { policy }, { signal: abort.signal }).then(
        (preview) => {
          onNames(preview.groupNames);
          setState({ key, preview, issues: [] });
          setLoading(false);
        },
        (err: unknown) => {
          if (abort.signal.aborted || isAbort(err)) return;
          if (err instanceof ApiRequestError && err.code === 'InvalidPolicy') {
            setState((s) => ({ key, preview: s.preview, issues: err.body?.issues?.length ? err.body.issues : [{ path: '', message: err.message }] }));
          } else setState((s) => ({ key, preview: s.preview, error: errorText(err), issues: [] }));
          setLoading(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [api, key, onNames]);

  const current = key !== undefined && state.key === key;
  return { preview: state.preview, current: current && !state.error && state.issues.length === 0, loading, error: current ? state.error : undefined, issues: current ? state.issues : [] };
}
