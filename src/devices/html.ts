import { createHash } from 'node:crypto';

/**
 * A tiny HTML template for the onboarding pages: every interpolated value is escaped unless it is
 * already `SafeHtml` (the result of another `html` template). No framework, no client script.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(v: unknown): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The pages' only style sheet, inline and allowed by its hash: no 'unsafe-inline', no extra request. */
const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f5f5;color:#242424}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.4rem;line-height:1.3}
.card{background:#fff;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0;box-shadow:0 1px 2px rgba(0,0,0,.12)}
.button,button{display:inline-block;font:inherit;font-weight:600;background:#5b5fc7;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;text-decoration:none;cursor:pointer}
button.secondary{background:#e8e8f6;color:#242424;font-weight:400;padding:.4rem .8rem}
form.inline{display:inline}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}
dt{font-weight:600}
dd{margin:0;min-width:0}
code{font:15px ui-monospace,Menlo,Consolas,monospace;background:#f0f0f0;padding:.1rem .3rem;border-radius:4px;word-break:break-all;user-select:all;-webkit-user-select:all}
.warning{border-left:4px solid #c4314b}
.muted{color:#616161;font-size:.9rem}
`;

export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * Content-Security-Policy of the pages: nothing but the hashed style sheet; forms post only to us;
 * no framing (the buttons must not be clickjacked from another site).
 */
export const PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH}; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="description" content="Connect a phone, tablet or computer to your company contacts.">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`.value;
}
