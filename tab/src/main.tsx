import { FluentProvider } from '@fluentui/react-components';
import { StrictMode, Suspense, lazy, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { fluentTheme, systemTheme, themeOverride } from './theme/themes';

const path = window.location.pathname;

// The sign-in pages (and msal-browser with them) load only on their own paths.
const AuthPage = lazy(() => import('./auth/AuthPage').then((m) => ({ default: m.AuthPage })));

function render(node: ReactNode): void {
  createRoot(document.getElementById('root')!).render(<StrictMode>{node}</StrictMode>);
}

if (path === '/auth/callback') {
  // The redirect URI: hand the response over without rendering anything.
  void import('./auth/callback').then((m) => m.runCallback());
} else if (path === '/auth/start' || path === '/auth/end') {
  render(
    <FluentProvider theme={fluentTheme(themeOverride() ?? systemTheme())}>
      <Suspense>
        <AuthPage path={path} />
      </Suspense>
    </FluentProvider>,
  );
} else {
  render(<App />);
}
