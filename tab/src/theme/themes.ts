import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';

export type ThemeName = 'light' | 'dark' | 'contrast';

const THEMES: Record<ThemeName, Theme> = { light: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme };

export function fluentTheme(name: ThemeName): Theme {
  return THEMES[name];
}

/** Teams' theme names: "default", "dark", "contrast"; anything newer (e.g. "glass") falls back to light. */
export function fromTeamsTheme(theme: string | undefined): ThemeName {
  return theme === 'dark' ? 'dark' : theme === 'contrast' ? 'contrast' : 'light';
}

/** `?theme=dark|light|contrast` forces a theme, for screenshots and for checking each theme by hand. */
export function themeOverride(search: string = window.location.search): ThemeName | undefined {
  const value = new URLSearchParams(search).get('theme');
  return value === 'light' || value === 'dark' || value === 'contrast' ? value : undefined;
}

/** Outside Teams: the operating system's choice (forced colours count as high contrast). */
export function systemTheme(): ThemeName {
  if (typeof window.matchMedia !== 'function') return 'light';
  if (window.matchMedia('(forced-colors: active)').matches) return 'contrast';
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
