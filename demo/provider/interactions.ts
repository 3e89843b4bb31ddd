import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { normalizeUsername } from './accounts.ts';
import { loginPage, messagePage } from './pages.ts';
import { ACR_MFA, ACR_PASSWORD, requestedAcrs } from './acr.ts';

// The provider's own interaction endpoints (oidc-provider leaves login/consent UI to the host):
//   GET  /interaction/:uid        login form, or auto-granted consent
//   POST /interaction/:uid/login  finish the login prompt with the submitted user name
//   POST /interaction/:uid/abort  finish with access_denied
// The interaction cookie oidc-provider sets is SameSite=Lax and scoped to /interaction/:uid,
// so a cross-site POST cannot finish someone else's login.

const ROUTE = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/;
const MAX_FORM_BYTES = 8 * 1024;

// Inline styles only; no form-action directive because Chrome would apply it to the redirect
// chain after the form POST (provider → BFF callback on another origin) and block it.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new RangeError('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** First-party client: grant exactly what the pending consent prompt says is missing. */
async function autoConsent(provider: Provider, details: InteractionDetails): Promise<string> {
  const { prompt, params, session } = details;
  if (!session || typeof params.client_id !== 'string') throw new Error('consent prompt without a session');
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined)
    ?? new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
  if (missingOIDCScope?.length) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims?.length) grant.addOIDCClaims(missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

export function isInteractionPath(pathname: string): boolean {
  return pathname.startsWith('/interaction/');
}

export function createInteractionHandler(provider: Provider, appUrl?: string) {
  return async function handleInteraction(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const match = ROUTE.exec(pathname);
    const action = match?.[2];
    const method = req.method ?? 'GET';
    if (!match || (action ? method !== 'POST' : method !== 'GET')) {
      sendHtml(res, match ? 405 : 404, messagePage('Not found', 'There is nothing here.', appUrl));
      return;
    }

    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      // Missing/expired interaction cookie (SessionNotFound) or a replayed URL.
      sendHtml(res, 400, messagePage('Sign-in expired', 'This sign-in attempt expired or was already completed. Go back to the app and sign in again.', appUrl));
      return;
    }
    if (details.uid !== match[1]) {
      sendHtml(res, 400, messagePage('Sign-in mismatch', 'This page belongs to another sign-in attempt. Go back to the app and sign in again.', appUrl));
      return;
    }

    const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : 'the app';
    if (action === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted the sign-in' }, { mergeWithLastSubmission: false });
      return;
    }
    if (action === 'login') {
      const form = await readForm(req);
      const username = normalizeUsername(form.get('username'));
      if (!username) {
        const error = 'Enter a user name: letters, digits, dot, dash or underscore (up to 64).';
        sendHtml(res, 400, loginPage({ uid: details.uid, clientId, username: form.get('username') ?? '', error, keyRequested: requestedAcrs(details.params).includes(ACR_MFA) }));
        return;
      }
      // acr/amr (OIDC Core §2): a password alone, or a password and a (pretend) security key.
      const key = form.get('factor') === 'key';
      const login = { accountId: username, acr: key ? ACR_MFA : ACR_PASSWORD, amr: key ? ['pwd', 'hwk'] : ['pwd'] };
      await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
      return;
    }

    if (details.prompt.name === 'login') {
      sendHtml(res, 200, loginPage({ uid: details.uid, clientId, keyRequested: requestedAcrs(details.params).includes(ACR_MFA) }));
      return;
    }
    if (details.prompt.name === 'consent') {
      // prompt=consent (sent by the BFF with offline_access) lands here after login: answer it
      // server-side, the redirect goes straight back to the authorization endpoint.
      const grantId = await autoConsent(provider, details);
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    sendHtml(res, 400, messagePage('Unsupported prompt', `The demo provider cannot handle the "${details.prompt.name}" prompt.`, appUrl));
  };
}
