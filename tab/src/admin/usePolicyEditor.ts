import { useCallback, useEffect, useRef, useState } from 'react';
import type { AdminGroup, AdminPolicyResponse, AdminPolicySaved, AdminPolicySaveRequest, Policy, PolicyIssue } from '../../../src/server/tab-api-types';
import { ApiRequestError, type ApiClient } from '../api/client';
import { errorText, isAbort } from './format';
import { samePolicy } from './policy-draft';

export type SaveOutcome =
  | { kind: 'saved'; version: number; changes: string[] }
  | { kind: 'invalid'; issues: PolicyIssue[] }
  | { kind: 'conflict'; message: string }
  | { kind: 'error'; message: string };

export interface PolicyEditor {
  /** The policy as last loaded from (or saved to) the server; undefined while loading. */
  saved: AdminPolicyResponse | undefined;
  loadError: string | undefined;
  loading: boolean;
  draft: Policy | undefined;
  dirty: boolean;
  /** Group names known so far: the server's, plus every group picked or previewed since. */
  names: Record<string, string | null>;
  edit(update: (draft: Policy) => Policy): void;
  learnNames(names: Record<string, string | null> | AdminGroup[]): void;
  discard(): void;
  reload(): void;
  save(): void;
  saving: boolean;
  /** What the last save attempt did; cleared by the next edit (except a success, kept until the next save). */
  outcome: SaveOutcome | undefined;
}

/** Loads the tenant's policy, keeps the administrator's draft of it, and saves it with its version. */
export function usePolicyEditor(api: ApiClient): PolicyEditor {
  const [saved, setSaved] = useState<AdminPolicyResponse>();
  const [loadError, setLoadError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [draft, setDraft] = useState<Policy>();
  const [names, setNames] = useState<Record<string, string | null>>({});
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome>();
  const lifetime = useRef<AbortController | null>(null);

  useEffect(() => {
    lifetime.current = new AbortController();
    return () => lifetime.current?.abort();
  }, []);

  const learnNames = useCallback((learned: Record<string, string | null> | AdminGroup[]) => {
    const entries = Array.isArray(learned) ? learned.map((g) => [g.id, g.displayName ?? g.mail ?? null] as const) : Object.entries(learned);
    setNames((old) => {
      const next = { ...old };
      // A name we know beats "unknown": the picker knows a group the policy's last load did not.
      for (const [id, name] of entries) if (name !== null || !(id in next)) next[id] = name;
      return next;
    });
  }, []);

  const load = useCallback(
    async (replaceDraft: (current: Policy | undefined, loaded: Policy) => boolean) => {
      const signal = lifetime.current?.signal;
      setLoading(true);
      try {
        const res = await api.get<AdminPolicyResponse>('/admin/policy', { signal });
        setSaved(res);
        setLoadError(undefined);
        setNames((old) => ({ ...old, ...res.groupNames }));
        setDraft((current) => (replaceDraft(current, res.policy) ? res.policy : current));
      } catch (err) {
        if (signal?.aborted || isAbort(err)) return;
        setLoadError(errorText(err));
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [api],
  );

  useEffect(() => {
    void load(() => true);
  }, [load]);

  const edit = useCallback((update: (draft: Policy) => Policy) => {
    setDraft((current) => (current ? update(current) : current));
    setOutcome((o) => (o?.kind === 'saved' ? o : undefined));
  }, []);

  const discard = useCallback(() => {
    if (saved) setDraft(saved.policy);
    setOutcome(undefined);
  }, [saved]);

  const reload = useCallback(() => {
    setOutcome(undefined);
    void load(() => true);
  }, [load]);

  const save = useCallback(() => {
    if (!draft || !saved || saving) return;
    const sent = draft;
    const body: AdminPolicySaveRequest = { policy: sent, version: saved.version };
    const signal = lifetime.current?.signal;
    setSaving(true);
    setOutcome(undefined);
    api
      .send<AdminPolicySaved>('PUT', '/admin/policy', body, { signal })
      .then(
        async (res) => {
          setOutcome({ kind: 'saved', version: res.version, changes: res.changes });
          setSaved((old) => (old ? { ...old, policy: res.policy, version: res.version } : old));
          // Then fetch the policy afresh (names of the groups now in it); an edit made meanwhile is kept.
          setDraft((current) => (current && samePolicy(current, sent) ? res.policy : current));
          await load((current) => !current || samePolicy(current, res.policy));
        },
        (err: unknown) => {
          if (signal?.aborted || isAbort(err)) return;
          if (err instanceof ApiRequestError && err.code === 'InvalidPolicy') {
            setOutcome({ kind: 'invalid', issues: err.body?.issues?.length ? err.body.issues : [{ path: '', message: err.message }] });
          } else if (err instanceof ApiRequestError && (err.code === 'PolicyConflict' || err.status === 409)) {
            setOutcome({ kind: 'conflict', message: err.message });
          } else setOutcome({ kind: 'error', message: errorText(err) });
        },
      )
      .finally(() => {
        if (!signal?.aborted) setSaving(false);
      });
  }, [api, draft, saved, saving, load]);

  const dirty = !!draft && !!saved && !samePolicy(draft, saved.policy);
  return { saved, loadError, loading, draft, dirty, names, edit, learnNames, discard, reload, save, saving, outcome };
}
