import { useEffect, useState } from 'react';
import type { HostState } from '../host/use-host';
import { fromTeamsTheme, systemTheme, themeOverride, type ThemeName } from './themes';

/**
 * The theme to render with, following the host as it changes: Teams' theme and its change handler in
 * Teams, the system's colour scheme elsewhere; a `?theme=` override wins in both.
 */
export function useThemeName(host: HostState): ThemeName {
  const override = themeOverride();
  const teams = host.kind === 'teams' ? host.teams : undefined;
  const [name, setName] = useState<ThemeName>(() => override ?? (teams ? fromTeamsTheme(teams.theme) : systemTheme()));

  useEffect(() => {
    if (override) return setName(override);
    if (teams) {
      setName(fromTeamsTheme(teams.theme));
      teams.sdk.app.registerOnThemeChangeHandler((theme) => setName(fromTeamsTheme(theme)));
      return;
    }
    if (typeof window.matchMedia !== 'function') return;
    const queries = [window.matchMedia('(prefers-color-scheme: dark)'), window.matchMedia('(forced-colors: active)')];
    const update = () => setName(systemTheme());
    update();
    for (const q of queries) q.addEventListener('change', update);
    return () => {
      for (const q of queries) q.removeEventListener('change', update);
    };
  }, [override, teams]);

  return name;
}
