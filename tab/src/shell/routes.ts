import { useCallback, useEffect, useState } from 'react';

export type PageId = 'directory' | 'devices' | 'admin';

/** The Teams manifest's static tabs load these paths (appPackage/manifest.json); a browser uses them too. */
const PATHS: Record<PageId, string> = { directory: '/tab', devices: '/tab/devices', admin: '/tab/admin' };

export function pageOf(pathname: string): PageId {
  const path = pathname.replace(/\/+$/, '');
  if (path === PATHS.devices) return 'devices';
  if (path === PATHS.admin) return 'admin';
  return 'directory';
}

/** The page in the URL, and navigation that keeps the URL (and the query, e.g. ?theme=) in step. */
export function useRoute(): [PageId, (page: PageId) => void] {
  const [page, setPage] = useState<PageId>(() => pageOf(window.location.pathname));
  useEffect(() => {
    const onPop = () => setPage(pageOf(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: PageId) => {
    if (pageOf(window.location.pathname) !== next) window.history.pushState(null, '', PATHS[next] + window.location.search);
    setPage(next);
  }, []);
  return [page, navigate];
}
