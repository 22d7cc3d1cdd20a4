import { useCallback, useEffect, useRef, useState } from 'react';
import type { AdminSyncResponse, AdminSyncStarted } from '../../../src/server/tab-api-types';
import { ApiRequestError, type ApiClient } from '../api/client';
import { errorText, formatDuration, isAbort } from './format';

export interface SyncNotice {
  intent: 'info' | 'success' | 'warning' | 'error';
  text: string;
}

export interface SyncStatus {
  status: AdminSyncResponse | undefined;
  loadError: string | undefined;
  /** Polling a round under way. */
  watching: boolean;
  starting: boolean;
  notice: SyncNotice | undefined;
  refresh(): void;
  runNow(): void;
}

export const POLL_MS = 2000;
/** Five minutes of polling at most; then the page says so and stops. */
export const MAX_POLLS = 150;
/** After "Run sync now", polls to wait for the new round to appear before believing it already finished. */
const START_GRACE_POLLS = 5;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });
}

/** GET /api/admin/sync, "Run sync now" (POST, then poll every 2 s until the round ends, bounded). */
export function useSyncStatus(api: ApiClient): SyncStatus {
  const [status, setStatus] = useState<AdminSyncResponse>();
  const [loadError, setLoadError] = useState<string>();
  const [watching, setWatching] = useState(false);
  const [starting, setStarting] = useState(false);
  const [notice, setNotice] = useState<SyncNotice>();
  const lifetime = useRef<AbortController | null>(null);
  const watcher = useRef<AbortController | null>(null);

  const fetchStatus = useCallback(
    async (signal: AbortSignal) => {
      const res = await api.get<AdminSyncResponse>('/admin/sync', { signal });
      if (!signal.aborted) {
        setStatus(res);
        setLoadError(undefined);
      }
      return res;
    },
    [api],
  );

  /**
   * Polls until no round is running. `since` is the newest run id before "Run sync now" (null: there
   * was none), so a round that has not shown up yet is not mistaken for one that already finished.
   */
  const watch = useCallback(
    async (since: number | null | undefined, announce: boolean) => {
      watcher.current?.abort();
      const abort = new AbortController();
      watcher.current = abort;
      const parent = lifetime.current?.signal;
      parent?.addEventListener('abort', () => abort.abort(), { once: true });
      setWatching(true);
      try {
        for (let poll = 0; poll < MAX_POLLS; poll++) {
          if (poll > 0) await sleep(POLL_MS, abort.signal);
          const res = await fetchStatus(abort.signal);
          const newest = res.runs[0];
          const appeared = since === undefined || (newest?.id ?? null) !== since;
          if (res.running || (!appeared && poll < START_GRACE_POLLS)) continue;
          if (announce && newest && appeared) {
            const changes = newest.contactChanges + newest.usersChanged + newest.groupsChanged;
            setNotice(
              newest.status === 'failed'
                ? { intent: 'error', text: `The sync round failed after ${formatDuration(newest.durationMs)}: ${newest.error ?? 'no reason given'}.` }
                : { intent: 'success', text: `The sync round finished in ${formatDuration(newest.durationMs)} with ${changes} change${changes === 1 ? '' : 's'}.` },
            );
          } else if (announce) setNotice({ intent: 'info', text: 'The sync round finished.' });
          return;
        }
        setNotice({ intent: 'warning', text: `The sync round is still running after ${Math.round((MAX_POLLS * POLL_MS) / 60000)} minutes. Refresh later to see how it ended.` });
      } catch (err) {
        if (abort.signal.aborted || isAbort(err)) return;
        setNotice({ intent: 'error', text: `Could not follow the sync round: ${errorText(err)}` });
      } finally {
        if (watcher.current === abort) {
          watcher.current = null;
          setWatching(false);
        }
      }
    },
    [fetchStatus],
  );

  const refresh = useCallback(() => {
    const signal = lifetime.current?.signal;
    if (!signal) return;
    fetchStatus(signal).then(
      (res) => {
        if (res.running && !watcher.current) void watch(undefined, false);
      },
      (err: unknown) => {
        if (!signal.aborted && !isAbort(err)) setLoadError(errorText(err));
      },
    );
  }, [fetchStatus, watch]);

  useEffect(() => {
    lifetime.current = new AbortController();
    refresh();
    return () => {
      lifetime.current?.abort();
      watcher.current?.abort();
    };
  }, [refresh]);

  const runNow = useCallback(() => {
    const signal = lifetime.current?.signal;
    if (!signal) return;
    const since = status ? (status.runs[0]?.id ?? null) : undefined;
    setStarting(true);
    setNotice(undefined);
    api
      .send<AdminSyncStarted>('POST', '/admin/sync', undefined, { signal })
      .then(
        () => {
          setNotice({ intent: 'info', text: 'Sync started. This page follows it until it finishes.' });
          void watch(since, true);
        },
        (err: unknown) => {
          if (signal.aborted || isAbort(err)) return;
          if (err instanceof ApiRequestError && (err.code === 'SyncRunning' || err.status === 409)) {
            setNotice({ intent: 'warning', text: 'A sync round is already running. This page shows it until it finishes.' });
            void watch(undefined, true);
          } else setNotice({ intent: 'error', text: `Could not start a sync round: ${errorText(err)}` });
        },
      )
      .finally(() => {
        if (!signal.aborted) setStarting(false);
      });
  }, [api, status, watch]);

  return { status, loadError, watching, starting, notice, refresh, runNow };
}
