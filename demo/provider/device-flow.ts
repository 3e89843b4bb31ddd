import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, messagePage, page } from './pages.ts';

/**
 * oidc-provider's device flow (RFC 8628) with pages in the demo's look: its stock pages import
 * Google Fonts, which fails offline and leaks the visit. oidc-provider hands over each `form`
 * (holding its xsrf token); the pages only add the visible parts. After the code is confirmed the
 * usual login page (interactions.ts) signs the user in.
 * @see https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#featuresdeviceflow
 */

function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.body = body;
}

export function deviceFlowFeature(appUrl: string | undefined): Record<string, unknown> {
  return {
    enabled: true,
    async userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out: unknown, err: unknown) {
      if ((err as { name?: unknown } | undefined)?.name === 'AbortedError') {
        html(ctx, messagePage('Device not connected', 'You aborted the sign-in; the command-line tool is told so. You can close this page.', appUrl));
        return;
      }
      const error = err ? '<p class="error" role="alert">That code is not valid (or was used already). Check it and try again.</p>' : '';
      html(ctx, page('Connect a device – demo provider', `<h1>Connect a device</h1>
<p>Enter the code your command-line tool shows.</p>
${error}
${form.replace('placeholder="Enter code"', 'placeholder="XXXX-XXXX" aria-label="Code"')}
<div class="actions"><button type="submit" form="op.deviceInputForm">Continue</button></div>`));
    },
    async userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, client: { clientId: string }, _deviceInfo: unknown, userCode: string) {
      html(ctx, page('Confirm the device – demo provider', `<h1>Confirm the device</h1>
<p>A command-line tool wants to sign in to <strong>${escapeHtml(client.clientId)}</strong> as you.
Continue only if it shows this code:</p>
<p><code id="user-code">${escapeHtml(userCode)}</code></p>
${form}
<div class="actions">
  <button type="submit" form="op.deviceConfirmForm">Continue</button>
  <button type="submit" class="secondary" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>
</div>`));
    },
    async successSource(ctx: KoaContextWithOIDC) {
      html(ctx, messagePage('Device signed in', 'You can close this page and go back to your terminal.', appUrl));
    },
  };
}
