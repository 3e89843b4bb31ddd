import { DEMO_USERS } from './accounts.ts';

// HTML of the demo provider. Self-contained on purpose: no external fonts, scripts or styles
// (oidc-provider's stock pages @import Google Fonts, which fails offline and leaks the visit).

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

// The SPA's look (client/styles.css): same colours, in light and dark, 44px targets, focus ring.
const STYLE = `
  :root{--bg:#fff;--surface:#f4f6f8;--text:#1a1f24;--muted:#4a5560;--border:#c4ccd4;--primary:#1d4ed8;--primary-text:#fff;
    --danger:#b42318;--danger-bg:#fdecea;color-scheme:light dark;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;
    color:var(--text);background:var(--surface)}
  @media (prefers-color-scheme:dark){:root{--bg:#111418;--surface:#1b2026;--text:#e8ecf0;--muted:#a9b4bf;--border:#3a434d;
    --primary:#8ab4ff;--primary-text:#0b1220;--danger:#ff8a80;--danger-bg:#3a1714}}
  *,*::before,*::after{box-sizing:border-box}
  body{margin:0;padding:2rem 1rem}
  main{max-width:26rem;margin:0 auto;background:var(--bg);border:1px solid var(--border);border-radius:8px;padding:1.5rem}
  .brand{max-width:26rem;margin:0 auto 1rem;font-weight:700;color:var(--muted)}
  h1{font-size:1.5rem;line-height:1.2;margin:0 0 1rem}
  h2{font-size:1rem;margin:1.5rem 0 .5rem}
  a{color:var(--primary)}
  label{display:block;font-weight:600;margin-top:1rem}
  input{width:100%;min-height:44px;padding:.5rem .75rem;font:inherit;color:var(--text);background:var(--bg);border:1px solid var(--muted);border-radius:8px}
  :focus-visible{outline:3px solid var(--primary);outline-offset:2px}
  .hint{font-size:.875rem;color:var(--muted);margin:.25rem 0 0}
  .error{color:var(--danger);background:var(--danger-bg);border:1px solid var(--danger);border-radius:8px;padding:.5rem .75rem;font-weight:600}
  .actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin-top:1.5rem}
  button,.button{display:inline-flex;align-items:center;min-height:44px;font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:8px;
    border:1px solid var(--primary);background:var(--primary);color:var(--primary-text);cursor:pointer;text-decoration:none}
  button.secondary{background:var(--bg);color:var(--text);border-color:var(--border)}
  code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:var(--surface);padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere}
  p{overflow-wrap:anywhere}
`;

export function page(title: string, body: string, headExtra = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${headExtra}
</head>
<body>
<header class="brand">Demo OpenID Provider</header>
<main>
${body}
</main>
</body>
</html>`;
}

/** "Back to the app" for pages that end a journey; only an http(s) URL the provider was configured with. */
function backLink(appUrl: string | undefined): string {
  if (!appUrl || !/^https?:\/\//.test(appUrl)) return '';
  return `<p class="actions"><a class="button" href="${escapeHtml(appUrl)}">Back to the app</a></p>`;
}

export function loginPage(opts: { uid: string; clientId: string; username?: string; error?: string; keyRequested?: boolean }): string {
  const action = `/interaction/${encodeURIComponent(opts.uid)}`;
  const users = DEMO_USERS.map((u) => `<li><code>${escapeHtml(u.username)}</code> – ${escapeHtml(u.roles.join(', '))}</li>`).join('');
  const error = opts.error ? `<p class="error" role="alert" id="login-error">${escapeHtml(opts.error)}</p>` : '';
  const describedBy = opts.error ? 'username-hint login-error' : 'username-hint';
  // The second factor is make-believe like the password: choosing it is what yields acr "mfa".
  const stepUp = opts.keyRequested
    ? '<p class="hint" id="key-requested" role="note"><strong>The app asks for a security key</strong> for this sign-in. A password alone will not be accepted.</p>'
    : '';
  return page(
    'Sign in – demo provider',
    `<h1>Sign in to the demo</h1>
<p>Signing in to <strong>${escapeHtml(opts.clientId)}</strong> through the local demo OpenID Provider.</p>
${error}
${stepUp}
<form method="post" action="${action}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" required autofocus autocapitalize="none" spellcheck="false"
    maxlength="64" value="${escapeHtml(opts.username ?? '')}" aria-describedby="${describedBy}">
  <p class="hint" id="username-hint">Any name works; unknown names become readers.</p>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" aria-describedby="password-hint">
  <p class="hint" id="password-hint">Ignored: this demo provider does not check passwords.</p>
  <div class="actions">
    <button type="submit"${opts.keyRequested ? ' class="secondary"' : ''}>Sign in</button>
    <button type="submit" name="factor" value="key"${opts.keyRequested ? '' : ' class="secondary"'} aria-describedby="key-hint">Use a security key</button>
    <button type="submit" class="secondary" formaction="${action}/abort" formnovalidate>Cancel</button>
  </div>
  <p class="hint" id="key-hint">A pretend second factor: it signs you in with <code>acr</code> <code>mfa</code>.</p>
</form>
<h2>Demo users</h2>
<ul>${users}<li>anyone else – reader</li></ul>`,
  );
}

/**
 * The RP-initiated logout "are you sure?" page, auto-confirmed: the user already chose to sign
 * out in the app, so the form oidc-provider gives us (holding its xsrf token) is submitted with
 * logout=yes as soon as it loads, and the browser lands on post_logout_redirect_uri. Without
 * JavaScript the button does the same.
 */
export function logoutAutoConfirmPage(providerForm: string): string {
  const form = providerForm.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
  const script = `<script>document.addEventListener('DOMContentLoaded',function(){document.forms[0].submit()})</script>`;
  return page(
    'Signing out – demo provider',
    `<h1>Signing out…</h1>
${form}
<div class="actions"><button type="submit" form="op.logoutForm">Continue signing out</button></div>`,
    script,
  );
}

export function messagePage(title: string, message: string, appUrl?: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${backLink(appUrl)}`);
}

/** oidc-provider's error page: the error code and description only (never a stack). */
export function errorPage(out: Record<string, unknown>, appUrl?: string): string {
  const text = Object.entries(out).map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: <code>${escapeHtml(v)}</code></p>`).join('');
  return page('Sign-in error – demo provider', `<h1>Sign-in error</h1><div class="error" role="alert">${text}</div>${backLink(appUrl)}`);
}
