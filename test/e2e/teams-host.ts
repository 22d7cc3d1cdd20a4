import type { BrowserContext, Frame, Page } from 'playwright-core';

/**
 * A test Teams host: a page served as https://teams.microsoft.com/… (Playwright fulfils it, no
 * network) that embeds the tab in an iframe and answers @microsoft/teams-js v2's host messages the
 * way Teams on the web does, so the tab's real Teams code path runs: initialize, getContext,
 * authentication.getAuthToken (SSO), authentication.authenticate (a pop-up window, which reports
 * back with notifySuccess / notifyFailure), openLink (executeDeepLink), and themeChange events.
 *
 * The protocol, as teams-js 2.x implements it (src/internal/communication.ts):
 * - the app posts `{id, uuidAsString, func, args, …}` to window.parent (or window.opener in a
 *   pop-up); `initialize` with target origin "*", later ones to the origin that answered it;
 * - the host answers `{id, uuidAsString, args}` to the message's source; the app matches it by uuid;
 * - the host pushes events as `{func, args}` without an id (e.g. `themeChange`, ["dark"]);
 * - the app accepts messages only from an origin on its list of Teams hosts, which is why the host
 *   must be https://teams.microsoft.com (and the server's CSP frame-ancestors agrees).
 */

export const TEAMS_HOST_ORIGIN = 'https://teams.microsoft.com';
/** teams-js fetches its list of valid host origins from here at load; the tests answer offline (it falls back to its built-in list). */
const VALID_ORIGINS_CDN = 'https://res.cdn.office.net/**';

export type TeamsTheme = 'default' | 'dark' | 'contrast';

/** A message the host received, as the tab or the pop-up sent it. */
export interface HostMessage {
  from: 'tab' | 'auth-window' | 'unknown';
  func: string;
  args: unknown[];
}

export interface TeamsHostOptions {
  /** The tab's content URL, as the app manifest gives it (e.g. https://localhost:PORT/tab). */
  contentUrl: string;
  /** Who is signed in to Teams: `getContext` reports them. */
  user: { upn: string; tenantId: string; objectId?: string; displayName?: string };
  theme?: TeamsTheme;
  /**
   * Answers authentication.getAuthToken: the SSO token Teams would hand the tab. Throw to make Teams
   * report a failure; the error's message is what the tab receives.
   */
  getAuthToken: (request: { resources: unknown; claims: unknown; silent: unknown; tenantId: unknown }) => Promise<string>;
}

let hostPages = 0;

/** The Teams host page for one signed-in person, in its own browser context (storage and cookies). */
export class TeamsHost {
  /** Every message the host received, oldest first. */
  readonly messages: HostMessage[] = [];

  private constructor(
    readonly page: Page,
    readonly options: TeamsHostOptions,
  ) {}

  /**
   * Opens the host page in `context` and waits until the tab's frame has loaded. Routes for the
   * Teams origin and teams-js's CDN are added to the context once.
   */
  static async open(context: BrowserContext, options: TeamsHostOptions): Promise<TeamsHost> {
    await routeTeamsOrigins(context);
    const page = await context.newPage();
    const host = new TeamsHost(page, options);
    await page.exposeBinding('__teamsHostRecord', (_source, message: HostMessage) => {
      host.messages.push(message);
    });
    await page.exposeBinding('__teamsHostGetAuthToken', async (_source, args: unknown[]) => {
      const [resources, claims, silent, tenantId] = args;
      try {
        return { ok: true, value: await options.getAuthToken({ resources, claims, silent, tenantId }) };
      } catch (err) {
        return { ok: false, value: err instanceof Error ? err.message : String(err) };
      }
    });
    const query = new URLSearchParams({ n: String(++hostPages) });
    await page.goto(`${TEAMS_HOST_ORIGIN}/_test-host/?${query}`);
    await host.start();
    return host;
  }

  /** Reloads Teams (host page and tab), as pressing F5 in Teams on the web does. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.start();
  }

  private async start(): Promise<void> {
    await this.page.evaluate(`window.startTeamsHost(${JSON.stringify(hostConfig(this.options))})`);
  }

  /** The tab, inside the host's iframe, once the iframe is in the page. */
  async tab(timeout: number): Promise<Frame> {
    const element = await this.page.locator('iframe[name="embedded-page-container"]').elementHandle({ timeout });
    const frame = await element.contentFrame();
    if (!frame) throw new Error('the tab frame is not there');
    return frame;
  }

  /** Messages of one function (e.g. "executeDeepLink"), oldest first. */
  received(func: string): HostMessage[] {
    return this.messages.filter((m) => m.func === func);
  }

  /** The URLs the tab asked Teams to open (app.openLink, which teams-js sends as executeDeepLink). */
  openedLinks(): string[] {
    return this.received('executeDeepLink').map((m) => String(m.args[0]));
  }

  /** Changes Teams' theme: the host pushes themeChange to the tab, as Teams does when the person switches. */
  async setTheme(theme: TeamsTheme): Promise<void> {
    await this.page.evaluate(`window.teamsHost.setTheme(${JSON.stringify(theme)})`);
  }

  /**
   * Runs `action` (which should make the tab call authentication.authenticate) and resolves with the
   * pop-up window Teams opened for it, at the URL the tab asked for.
   */
  async authWindow(action: () => Promise<void>, timeout: number): Promise<Page> {
    const [popup] = await Promise.all([this.page.waitForEvent('popup', { timeout }), action()]);
    return popup;
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

const routed = new WeakSet<BrowserContext>();

async function routeTeamsOrigins(context: BrowserContext): Promise<void> {
  if (routed.has(context)) return;
  routed.add(context);
  await context.route(`${TEAMS_HOST_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: HOST_PAGE }));
  // Offline: the valid-origins list is refused, so teams-js uses the list built into it.
  await context.route(VALID_ORIGINS_CDN, (route) => route.abort('internetdisconnected'));
  // Chromium's Local Network Access: a public site (Teams) may frame a server on this machine only
  // once the person allows it, as a developer does when Teams on the web loads a tab from localhost.
  await context.grantPermissions(['local-network-access'], { origin: TEAMS_HOST_ORIGIN });
}

/** What the page script needs: the content URL and the context Teams reports. */
function hostConfig(options: TeamsHostOptions) {
  return {
    contentUrl: options.contentUrl,
    theme: options.theme ?? 'default',
    context: {
      locale: 'en-gb',
      hostName: 'Teams',
      hostClientType: 'web',
      frameContext: 'content',
      entityId: 'directory',
      appSessionId: '00000000-0000-4000-8000-00000000a5e1',
      sessionId: '00000000-0000-4000-8000-00000000a5e2',
      ringId: 'general',
      tid: options.user.tenantId,
      loginHint: options.user.upn,
      userPrincipalName: options.user.upn,
      userObjectId: options.user.objectId ?? '',
      userDisplayName: options.user.displayName,
      userLicenseType: 'Unknown',
      isFullScreen: false,
    },
    /** Teams on the web's runtime config (apiVersion 4): the capabilities the host answers for. */
    runtimeConfig: {
      apiVersion: 4,
      hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
      isLegacyTeams: false,
      supports: {
        app: {},
        appEntity: {},
        appInstallDialog: {},
        call: {},
        chat: {},
        conversations: {},
        dialog: { card: { bot: {} }, url: { bot: {}, parentCommunication: {} }, update: {} },
        interactive: {},
        logs: {},
        menus: {},
        pages: { appButton: {}, tabs: {}, config: {}, backStack: {}, fullTrust: {} },
        profile: {},
        sharing: {},
        stageView: {},
        teams: { fullTrust: {} },
        teamsCore: {},
        webStorage: {},
      },
    },
    clientSupportedSDKVersion: '2.58.0',
  };
}

/**
 * The host page. Its script answers teams-js requests from the tab's frame and from the pop-up that
 * authentication.authenticate opens (told apart by the message's source window), and records every
 * request through __teamsHostRecord. getAuthToken is answered by the test process.
 */
const HOST_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Microsoft Teams (test host)</title>
<style>html,body{margin:0;height:100%}body{display:flex;flex-direction:column;font-family:system-ui,sans-serif}
header{height:48px;display:flex;align-items:center;padding:0 16px;background:#464775;color:#fff}
iframe{flex:1;border:0;width:100%}</style></head>
<body><header>Microsoft Teams · test host</header>
<script>
window.startTeamsHost = (config) => {
  const frame = document.createElement('iframe');
  frame.name = 'embedded-page-container';
  frame.title = 'Switchboard';
  frame.src = config.contentUrl;
  frame.allow = 'clipboard-write';
  document.body.appendChild(frame);
  const tabOrigin = new URL(config.contentUrl).origin;
  let theme = config.theme;
  let authWindow = null;
  /** The tab's authenticate request waiting for the pop-up: where and how to answer it. */
  let pendingAuth = null;

  const answer = (target, origin, message, args) => target.postMessage({ id: message.id, uuidAsString: message.uuidAsString, args }, origin);
  const finishAuth = (args) => {
    const pending = pendingAuth;
    pendingAuth = null;
    if (pending) answer(pending.source, pending.origin, pending.message, args);
  };

  window.teamsHost = {
    setTheme(next) {
      theme = next;
      frame.contentWindow.postMessage({ func: 'themeChange', args: [next] }, tabOrigin);
    },
  };

  window.addEventListener('message', async (event) => {
    const message = event.data;
    if (!message || typeof message !== 'object' || typeof message.func !== 'string') return;
    const from = event.source === frame.contentWindow ? 'tab' : authWindow && event.source === authWindow ? 'auth-window' : 'unknown';
    await window.__teamsHostRecord({ from, func: message.func, args: message.args ?? [] });
    if (from === 'unknown') return;
    const reply = (args) => answer(event.source, event.origin, message, args);
    switch (message.func) {
      case 'initialize':
        // [frameContext, hostClientType, runtimeConfig, clientSupportedSDKVersion]
        return reply([from === 'tab' ? 'content' : 'authentication', 'web', JSON.stringify(config.runtimeConfig), config.clientSupportedSDKVersion]);
      case 'getContext':
        return reply([{ ...config.context, theme, frameContext: from === 'tab' ? 'content' : 'authentication' }]);
      case 'authentication.getAuthToken': {
        const result = await window.__teamsHostGetAuthToken(message.args ?? []);
        return reply([result.ok, result.value]);
      }
      case 'authentication.authenticate': {
        const [url, width, height] = message.args;
        if (pendingAuth) return reply([false, 'Another authentication window is already open.']);
        pendingAuth = { source: event.source, origin: event.origin, message };
        authWindow = window.open(url, '_blank', 'popup,width=' + (width || 600) + ',height=' + (height || 535));
        if (!authWindow) return finishAuth([false, 'The authentication window could not be opened.']);
        // Teams answers CancelledByUser when the window closes without a result.
        const watch = setInterval(() => {
          if (!authWindow || !authWindow.closed) return;
          clearInterval(watch);
          setTimeout(() => finishAuth([false, 'CancelledByUser']), 500);
        }, 200);
        return;
      }
      case 'authentication.authenticate.success':
        return finishAuth([true, message.args[0]]);
      case 'authentication.authenticate.failure':
        return finishAuth([false, message.args[0]]);
      case 'executeDeepLink':
        // app.openLink: Teams opens chats and calls itself; the tab's frame stays where it is.
        return reply([true]);
      default:
        // One-way notifications (appInitialization.*, registerHandler, …) need no answer.
        return;
    }
  });
};
</script></body></html>`;
