import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avatarDataUrl } from '../../demo/provider/accounts.ts';
import type { DemoProvider } from '../../demo/provider/index.ts';
import { errorPage, loginPage, messagePage } from '../../demo/provider/pages.ts';
import { POST_LOGOUT_URI, startProvider } from './oidc-flow.ts';

// The demo provider's own pages: the SPA's look (dark mode included) and a way back to the app
// from every page that ends a sign-in journey.

const BACK = /<a class="button" href="([^"]*)">Back to the app<\/a>/;

describe('demo provider pages', () => {
  it('follow the colour scheme like the SPA, and say so to the browser', () => {
    const html = loginPage({ uid: 'u1', clientId: 'bff-demo' });
    expect(html).toMatch(/<meta name="color-scheme" content="light dark">/);
    expect(html).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{--bg:#111418/);
    expect(html).toMatch(/<header class="brand">/);
  });

  it('error and message pages lead back to the app, never to a script URL', () => {
    expect(BACK.exec(messagePage('Signed out', 'Bye.', 'http://localhost:3000/'))?.[1]).toBe('http://localhost:3000/');
    const error = errorPage({ error: 'invalid_request', error_description: '<img src=x onerror=alert(1)>' }, 'http://localhost:3000/');
    expect(BACK.exec(error)?.[1]).toBe('http://localhost:3000/');
    expect(error).toMatch(/role="alert"/);
    expect(error).not.toContain('<img');
    expect(messagePage('t', 'm', 'javascript:alert(1)')).not.toMatch(BACK);
    expect(messagePage('t', 'm')).not.toMatch(BACK);
  });

  it('give each user a picture that the SPA’s CSP (img-src data:) allows', () => {
    const alice = avatarDataUrl('alice');
    expect(alice).toMatch(/^data:image\/svg\+xml,%3Csvg /);
    expect(decodeURIComponent(alice)).toContain('>A</text>');
    expect(alice).not.toMatch(/[<>#"]/);
    expect(avatarDataUrl('alice')).toBe(alice);
  });
});

describe('the running provider', () => {
  let provider: DemoProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(async () => {
    await provider?.close();
  });

  it('an expired or unknown sign-in page offers the way back to the app', async () => {
    const res = await fetch(`${provider.issuer}/interaction/not-a-real-uid`);
    expect(res.status).toBe(400);
    expect(BACK.exec(await res.text())?.[1]).toBe(POST_LOGOUT_URI);
  });

  it('its protocol error page does too', async () => {
    const res = await fetch(`${provider.issuer}/auth?client_id=nobody&response_type=code&scope=openid`);
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toMatch(/Sign-in error/);
    expect(BACK.exec(html)?.[1]).toBe(POST_LOGOUT_URI);
  });
});
