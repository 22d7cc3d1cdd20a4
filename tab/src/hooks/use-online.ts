import { useEffect, useState } from 'react';

/** navigator.onLine, kept current; `reconnects` counts returns online so data can be refreshed. */
export function useOnline(): { online: boolean; reconnects: number } {
  const [state, setState] = useState(() => ({ online: navigator.onLine, reconnects: 0 }));
  useEffect(() => {
    const on = () => setState((s) => ({ online: true, reconnects: s.reconnects + 1 }));
    const off = () => setState((s) => ({ ...s, online: false }));
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return state;
}
