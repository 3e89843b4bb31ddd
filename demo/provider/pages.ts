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

const STYLE = `
  body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1b1f24;margin:0;padding:2rem 1rem}
  main{max-width:24rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
  h1{font-size:1.4rem;margin:0 0 1rem}
  label{display:block;font-weight:600;margin-top:1rem}
  input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #8a929c;border-radius:4px}
  input:focus,button:focus{outline:3px solid #2563eb;outline-offset:1px}
  .hint{font-size:.875rem;color:#4b5563;margin:.25rem 0 0}
  .error{color:#b42318;font-weight:600}
  .actions{display:flex;gap:.5rem;margin-top:1.5rem}
  button{font:inherit;padding:.5rem 1rem;border-radius:4px;border:1px solid #1d4ed8;background:#2563eb;color:#fff;cursor:pointer}
  button.secondary{background:#fff;color:#1d4ed8}
  code{background:#eef0f3;padding:0 .25rem;border-radius:3px}
`;

export function page(title: string, body: string, headExtra = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${headExtra}
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export function loginPage(opts: { uid: string; clientId: string; username?: string; error?: string }): string {
  const action = `/interaction/${encodeURIComponent(opts.uid)}`;
  const users = DEMO_USERS.map((u) => `<li><code>${escapeHtml(u.username)}</code> – ${escapeHtml(u.roles.join(', '))}</li>`).join('');
  const error = opts.error ? `<p class="error" role="alert" id="login-error">${escapeHtml(opts.error)}</p>` : '';
  const describedBy = opts.error ? 'username-hint login-error' : 'username-hint';
  return page(
    'Sign in – demo provider',
    `<h1>Sign in to the demo</h1>
<p>Signing in to <strong>${escapeHtml(opts.clientId)}</strong> through the local demo OpenID Provider.</p>
${error}
<form method="post" action="${action}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" required autofocus autocapitalize="none" spellcheck="false"
    maxlength="64" value="${escapeHtml(opts.username ?? '')}" aria-describedby="${describedBy}">
  <p class="hint" id="username-hint">Any name works; unknown names become readers.</p>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" aria-describedby="password-hint">
  <p class="hint" id="password-hint">Ignored: this demo provider does not check passwords.</p>
  <div class="actions">
    <button type="submit">Sign in</button>
    <button type="submit" class="secondary" formaction="${action}/abort" formnovalidate>Cancel</button>
  </div>
</form>
<h2 style="font-size:1rem;margin-top:1.5rem">Demo users</h2>
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

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
