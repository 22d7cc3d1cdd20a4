import { davx5Link } from './carddav-urls.js';
import type { DeviceCredentials } from './devices.js';
import { html, page, type SafeHtml } from './html.js';
import { onboardingPath, type DevicePlatform } from './platform.js';

/**
 * The onboarding pages. The landing page (GET) names no person and holds no secret, because link
 * previewers and anyone the link is forwarded to can fetch it; credentials appear only in the answer
 * to the button's POST, once.
 */

const DAVX5_FDROID = 'https://f-droid.org/packages/at.bitfire.davdroid/';
const DAVX5_PLAY = 'https://play.google.com/store/apps/details?id=at.bitfire.davdroid';

const CHOICES: { platform: DevicePlatform; label: string }[] = [
  { platform: 'iphone', label: 'iPhone or iPad' },
  { platform: 'mac', label: 'Mac' },
  { platform: 'android', label: 'Android' },
  { platform: 'other', label: 'Another app (Thunderbird, Evolution, …)' },
];

export interface LandingInput {
  platform: DevicePlatform;
  /** On an iPhone or iPad: whether this is Safari (profiles install only from Safari). */
  inSafari: boolean;
  /** Where the buttons post: the link itself. */
  actionPath: string;
  minutesLeft: number;
}

export function landingPage(input: LandingInput): string {
  const path = onboardingPath(input.platform);
  const iosOutsideSafari = (input.platform === 'iphone' || input.platform === 'ipad') && !input.inSafari;
  const explain =
    path === 'apple-profile'
      ? html`<p>Continue to download a profile that adds your company contacts to the Contacts app. You install it in Settings.</p>`
      : path === 'davx5'
        ? html`<p>Android syncs contacts with the free app <strong>DAVx⁵</strong>. Continue to get a link that opens DAVx⁵ with everything filled in.</p>`
        : html`<p>Continue to see the server address, user name and password to enter in Thunderbird, Evolution or any CardDAV contacts app.</p>`;
  const primary = input.platform === 'ipad' ? 'iphone' : input.platform;
  const others = CHOICES.filter((c) => c.platform !== primary);
  return page(
    'Connect this device to company contacts',
    html`<h1>Connect this device to your company contacts</h1>
${iosOutsideSafari ? html`<div class="card warning"><p><strong>Open this page in Safari.</strong> Profiles can only be installed from Safari: in Teams or another app, use <em>Open in Safari</em> (or copy this link into Safari). This link has not been used yet.</p></div>` : ''}
<div class="card">
${explain}
<form method="post" action="${input.actionPath}">
<input type="hidden" name="platform" value="${input.platform}">
<button type="submit">Continue</button>
</form>
<p class="muted">The link works once, for this device only, and expires in ${Math.max(1, input.minutesLeft)} minute${input.minutesLeft === 1 ? '' : 's'}. Only continue on the device you want to connect.</p>
</div>
<div class="card">
<p>Setting up a different kind of device?</p>
${others.map((c) => html`<form class="inline" method="post" action="${input.actionPath}"><input type="hidden" name="platform" value="${c.platform}"><button class="secondary" type="submit">${c.label}</button></form> `)}
</div>`,
  );
}

export interface CredentialsInput {
  platform: DevicePlatform;
  credentials: DeviceCredentials;
  /** For Apple devices: the one-time profile download. */
  profileHref?: string;
}

export function credentialsPage(input: CredentialsInput): string {
  const path = onboardingPath(input.platform);
  const body = path === 'apple-profile' ? appleSteps(input) : path === 'davx5' ? androidSteps(input.credentials) : manualSteps(input.credentials);
  return page(
    'Your device is connected',
    html`<h1>Almost done: finish on this device</h1>
<div class="card warning"><p><strong>Keep this page open until the account works.</strong> The password is shown only now; reloading this page will not show it again. If something goes wrong, revoke the device in the Switchboard tab in Teams and start over.</p></div>
${body}
<p class="muted">Your company contacts are read-only on this device and stay up to date by themselves. You can revoke this device at any time in the Switchboard tab in Teams.</p>`,
  );
}

function appleSteps(input: CredentialsInput): SafeHtml {
  const mac = input.platform === 'mac';
  return html`<div class="card">
${input.profileHref ? html`<p><a class="button" href="${input.profileHref}">Download profile</a></p>` : ''}
<ol>
${
  mac
    ? html`<li>Click <strong>Download profile</strong>.</li>
<li>Open <strong>System Settings → General → Device Management</strong> (older macOS: <strong>System Preferences → Profiles</strong>), double-click <em>Company contacts</em> and choose <strong>Install</strong>.</li>`
    : html`<li>Tap <strong>Download profile</strong>, then <strong>Allow</strong>. (Not in Safari? Touch and hold <strong>Download profile</strong>, copy the link and open it in Safari.)</li>
<li>Open <strong>Settings</strong>, tap <strong>Profile Downloaded</strong> near the top and then <strong>Install</strong>. Do it within 8 minutes: iOS discards a downloaded profile that is not installed.</li>`
}
<li>Open <strong>Contacts</strong>: your colleagues appear within a minute.</li>
</ol>
<p class="muted">The download works once, within 10 minutes.</p>
</div>
<details class="card"><summary>Set up by hand instead</summary>
<p>${mac ? 'System Settings → Internet Accounts → Add Other Account → CardDAV account' : 'Settings → Contacts → Accounts → Add Account → Other → Add CardDAV Account'}, then enter:</p>
${values(input.credentials, 'host')}
</details>`;
}

function androidSteps(c: DeviceCredentials): SafeHtml {
  return html`<div class="card">
<ol>
<li>If DAVx⁵ is not installed yet, install it from <a href="${DAVX5_FDROID}" rel="noreferrer noopener" target="_blank">F-Droid</a> or <a href="${DAVX5_PLAY}" rel="noreferrer noopener" target="_blank">Google Play</a>, then come back to this page.</li>
<li><a class="button" href="${davx5Link(c.principalUrl, c.username, c.password)}">Open in DAVx⁵</a><br>DAVx⁵ opens with the login filled in: tap <strong>Login</strong>, then <strong>Create account</strong>, and switch on the address book <em>contacts</em>.</li>
</ol>
</div>
<details class="card"><summary>The link does not open DAVx⁵?</summary>
<p>In DAVx⁵, add an account with <em>Login with URL and user name</em> and enter:</p>
${values(c, 'url')}
</details>`;
}

function manualSteps(c: DeviceCredentials): SafeHtml {
  return html`<div class="card">
${values(c, 'url')}
</div>
<div class="card">
<p><strong>Thunderbird:</strong> Address Book → New Address Book → Add CardDAV Address Book; enter the user name and the address book URL, then the password when asked.</p>
<p><strong>Evolution:</strong> New → Address Book, type <em>CardDAV</em>; enter the address book URL and the user name, then the password when asked.</p>
<p><strong>vdirsyncer and other clients:</strong> use the address book URL (or the server address, which supports discovery), with <code>read_only = true</code>: the book is read-only.</p>
</div>`;
}

/** The connection values, selectable with one tap each. */
function values(c: DeviceCredentials, style: 'url' | 'host'): SafeHtml {
  const server = style === 'host' ? new URL(c.serverUrl).host : c.serverUrl;
  return html`<dl>
<dt>Server</dt><dd><code>${server}</code></dd>
${style === 'url' ? html`<dt>Address book URL</dt><dd><code>${c.addressBookUrl}</code></dd>` : ''}
<dt>User name</dt><dd><code>${c.username}</code></dd>
<dt>Password</dt><dd><code>${c.password}</code></dd>
</dl>`;
}

/** Expired, used, unknown or refused links: what happened and what to do instead. */
export function problemPage(title: string, message: string): string {
  return page(
    title,
    html`<h1>${title}</h1>
<div class="card"><p>${message}</p>
<p>To connect a device, open the Switchboard tab in Teams and choose <strong>Add device</strong>, or ask the Switchboard bot for a sync link. Each link works once, for 15 minutes.</p></div>`,
  );
}
