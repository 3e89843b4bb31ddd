import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from '../../demo/stack.ts';
import { runCli, signInWithDevice, type DeviceAuthorization } from '../../demo/cli.ts';
import { CookieJar } from '../support/cookie-jar.ts';

/**
 * `npm run demo:cli` end to end against the embedded default: the CLI starts the device flow at the
 * BFF, a "user" approves the code on the real provider's pages (plain HTTP, no browser), the CLI
 * polls `/auth/token` and calls the bearer route `/api/notes` with its token.
 */

let stack: EmbeddedStack;

beforeAll(async () => {
  stack = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent' });
});
afterAll(() => stack?.close());

/** Every input of the first form on a page (hidden ones included), and where it posts. */
function firstForm(html: string, page: URL): { action: URL; fields: URLSearchParams } {
  const form = /<form[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on ${page.href}: ${html.slice(0, 300)}`);
  const action = /\saction="([^"]*)"/i.exec(form[0])?.[1] ?? page.href;
  const fields = new URLSearchParams();
  for (const input of form[1]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = /\sname="([^"]+)"/i.exec(input[0])?.[1];
    const value = /\svalue="([^"]*)"/i.exec(input[0])?.[1] ?? '';
    if (name) fields.set(name, value.replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"'));
  }
  return { action: new URL(action.replaceAll('&amp;', '&'), page), fields };
}

/**
 * Plays the user at the verification URI: confirms the code, signs in as `username` (or aborts on
 * the confirmation page) and follows the provider until its last page. Returns that page's text.
 */
async function actAtProvider(device: DeviceAuthorization, username: string, decision: 'approve' | 'abort' = 'approve'): Promise<string> {
  const jar = new CookieJar();
  let res = await jar.fetch(new URL(device.verification_uri_complete!));
  let url = new URL(device.verification_uri_complete!);
  for (let hop = 0; hop < 16; hop += 1) {
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      res = await jar.fetch(url);
      continue;
    }
    const html = await res.text();
    expect(res.status, html).toBe(200);
    if (!/<form/i.test(html)) return html;
    const { action, fields } = firstForm(html, url);
    if (fields.has('username')) fields.set('username', username);
    if (fields.get('confirm') === 'yes' && decision === 'abort') {
      fields.delete('confirm');
      fields.set('abort', 'yes');
    }
    url = action;
    res = await jar.fetch(action, { method: 'POST', body: fields });
  }
  throw new Error('the provider kept redirecting');
}

describe('npm run demo:cli', () => {
  it('signs in with the device flow and calls /api/notes with its bearer token', async () => {
    const printed: string[] = [];
    let finalPage = '';
    const result = await runCli({
      bff: stack.bff.url,
      path: '/api/notes',
      print: (line) => printed.push(line),
      onCode: async (device) => {
        finalPage = await actAtProvider(device, 'alice');
      },
      sleep: async () => undefined,
    });
    expect(finalPage).toContain('Device signed in');
    expect(result.status).toBe(200);
    expect(Array.isArray(result.body)).toBe(true);
    expect(printed[0]).toMatch(/^To sign in, open {2}http:\/\/localhost:\d+\/device\?user_code=/);
    expect(printed.join('\n')).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  it('gets the token of the user who approved, refused on a route that is not bearer', async () => {
    const tokens = await signInWithDevice({
      bff: stack.bff.url,
      path: '/api/notes',
      print: () => undefined,
      onCode: async (device) => void (await actAtProvider(device, 'bob')),
      sleep: async () => undefined,
    });
    const me = await fetch(`${stack.bff.url}/api/notes`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' }, body: '{"text":"from the cli"}' });
    // The demo API's own rule (editors write) sees bob: the token is his.
    expect(me.status).toBe(403);
    const notBearer = await fetch(`${stack.bff.url}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(notBearer.status).toBe(403);
    expect(await notBearer.json()).toMatchObject({ code: 'csrf' });
  });

  it('refuses a bearer request of the device user whose token the BFF cannot verify (401 invalid_token)', async () => {
    const res = await fetch(`${stack.bff.url}/api/notes`, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('ends with access_denied when the user aborts at the provider', async () => {
    let lastPage = '';
    const run = signInWithDevice({
      bff: stack.bff.url,
      path: '/api/notes',
      print: () => undefined,
      onCode: async (device) => {
        lastPage = await actAtProvider(device, 'alice', 'abort');
      },
      sleep: async () => undefined,
    });
    await expect(run).rejects.toThrow('sign-in ended: access_denied');
    expect(lastPage).toContain('Device not connected');
  });
});
