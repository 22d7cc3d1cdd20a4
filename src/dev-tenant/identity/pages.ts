import type { DevUser } from '../directory.js';
import type { DevTenant } from '../registry.js';

/** HTML for the stand-in's sign-in, consent and error pages. Every value is escaped. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Switchboard dev tenant</title>
<style>
body{font-family:system-ui,sans-serif;background:#f3f2f1;margin:0;color:#201f1e}
main{max-width:440px;margin:48px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:22px;font-weight:600;margin:0 0 8px}.muted{color:#605e5c;font-size:13px}
.user{display:block;width:100%;text-align:left;padding:10px 12px;margin:6px 0;border:1px solid #c8c6c4;background:#fff;cursor:pointer;font-size:15px}
.user:hover,.user:focus{background:#edebe9}.user small{display:block;color:#605e5c}
input[type=password],input[type=text]{width:100%;padding:8px;font-size:15px;box-sizing:border-box;margin:6px 0 12px}
button.primary{background:#0067b8;color:#fff;border:0;padding:8px 24px;font-size:15px;cursor:pointer}
button.secondary{background:#ccc;border:0;padding:8px 24px;font-size:15px;cursor:pointer;margin-right:8px}
ul{padding-left:20px}.banner{background:#fff4ce;padding:8px 12px;font-size:13px;margin-bottom:16px}
</style></head><body><main>
<div class="banner">Local development tenant: a stand-in for Microsoft Entra ID. Not a Microsoft service.</div>
${body}</main></body></html>`;
}

function hiddenFields(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
}

export function signInPage(input: {
  action: string;
  params: Record<string, string>;
  tenants: DevTenant[];
  loginHint?: string;
  password: string;
  mfa: boolean;
  error?: string;
}): string {
  const groups = input.tenants
    .map((t) => {
      const users = [...t.directory.listUsers()].filter((u) => u.accountEnabled && u.assignedLicenses.length > 0).slice(0, 200);
      return `<h2 class="muted">${escapeHtml(t.displayName)} (${escapeHtml(t.domain)})</h2>${users.map(userButton).join('')}`;
    })
    .join('');
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="muted">Pick an account. Every dev user's password is <code>${escapeHtml(input.password)}</code>.</p>
${input.error ? `<p role="alert" style="color:#a4262c">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}">
${hiddenFields(input.params)}<input type="hidden" name="step" value="signin">
<label for="username">Email or user principal name</label>
<input id="username" name="username" type="text" autocomplete="username" value="${escapeHtml(input.loginHint ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" value="${escapeHtml(input.password)}">
${input.mfa ? '<p><label><input type="checkbox" name="mfa" value="approved"> Approve the multi-factor sign-in request</label></p>' : ''}
<button class="primary" type="submit" id="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(input.action)}">${hiddenFields(input.params)}<input type="hidden" name="step" value="signin">
<input type="hidden" name="password" value="${escapeHtml(input.password)}">${input.mfa ? '<input type="hidden" name="mfa" value="approved">' : ''}
${groups}</form>`,
  );
}

function userButton(u: DevUser): string {
  return `<button class="user" type="submit" name="username" value="${escapeHtml(u.userPrincipalName)}">${escapeHtml(u.displayName)}<small>${escapeHtml(u.userPrincipalName)}${u.jobTitle ? ' · ' + escapeHtml(u.jobTitle) : ''}</small></button>`;
}

export function consentPage(input: {
  action: string;
  params: Record<string, string>;
  appName: string;
  user: DevUser;
  permissions: { name: string; adminOnly: boolean }[];
  canConsentForOrg: boolean;
  forOrgOnly: boolean;
}): string {
  return page(
    'Permissions requested',
    `<h1>Permissions requested</h1>
<p><strong>${escapeHtml(input.appName)}</strong> would like to:</p>
<ul>${input.permissions.map((p) => `<li>${escapeHtml(p.name)}${p.adminOnly ? ' <span class="muted">(admin consent)</span>' : ''}</li>`).join('')}</ul>
<p class="muted">Signed in as ${escapeHtml(input.user.userPrincipalName)}.</p>
<form method="post" action="${escapeHtml(input.action)}">
${hiddenFields(input.params)}<input type="hidden" name="step" value="consent">
${input.canConsentForOrg && !input.forOrgOnly ? '<p><label><input type="checkbox" name="for_org" value="true" id="for_org"> Consent on behalf of your organization</label></p>' : ''}
${input.forOrgOnly ? '<input type="hidden" name="for_org" value="true">' : ''}
<button class="secondary" type="submit" name="decision" value="cancel">Cancel</button>
<button class="primary" type="submit" name="decision" value="accept" id="accept">Accept</button>
</form>`,
  );
}

export function needAdminPage(input: { appName: string; user: DevUser; returnUrl: string }): string {
  return page(
    'Need admin approval',
    `<h1>Need admin approval</h1>
<p><strong>${escapeHtml(input.appName)}</strong> needs permission to access resources in your organization that only an admin can grant.
Ask an admin to grant permission to this app before you can use it.</p>
<p class="muted">Signed in as ${escapeHtml(input.user.userPrincipalName)}.</p>
<p><a href="${escapeHtml(input.returnUrl)}" id="return">Return to the application without granting consent</a></p>`,
  );
}

export function errorPage(code: number, message: string): string {
  return page('Sign-in error', `<h1>Sorry, but we're having trouble signing you in.</h1><p role="alert">AADSTS${code}: ${escapeHtml(message)}</p>`);
}

/** response_mode=form_post: the browser posts the result to the redirect URI. */
export function formPostPage(action: string, fields: Record<string, string>): string {
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(action)}">${hiddenFields(fields)}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}
