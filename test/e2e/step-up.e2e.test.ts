import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromiumOnEmbeddedStack } from '../support/chromium-stack.ts';

// Step-up in Chromium against the embedded default: alice signs in with a password, the
// `/api/audit` route (require.acr ["mfa"]) answers 401 step_up_required, the browser follows its
// `loginUrl`, the provider's login page asks for the security key, and the call then goes
// through. The page the calls come from is the BFF's own /healthz (same origin, no SPA needed):
// the SPA's bffFetch following `loginUrl` does exactly this navigation.

const STEP_MS = 15_000;

let browser: Browser;
let app: string;
let provider: string;
let noBrowser: Error | undefined;

useChromiumOnEmbeddedStack((started) => {
  if ('noBrowser' in started) noBrowser = started.noBrowser;
  else ({ browser, app, provider } = started);
});

/** An `/api` call as the SPA makes it, from the page's own origin. */
function callAudit(page: Page): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(async () => {
    const res = await fetch('/api/audit', { headers: { 'x-csrf': '1' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  });
}

describe('step-up in Chromium', () => {
  it('password sign-in, step_up_required, the security key on the provider page, then the audit log', async () => {
    if (noBrowser) throw noBrowser;
    const context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(STEP_MS);
    context.setDefaultNavigationTimeout(STEP_MS);
    const page = await context.newPage();
    try {
      await page.goto(`${app}/auth/login?returnTo=%2Fhealthz`);
      await page.waitForURL((url) => url.origin === provider);
      await page.getByLabel('Username').fill('alice');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${app}/healthz`);

      const refused = await callAudit(page);
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'step_up_required', acr_values: 'mfa' });
      // The BFF's pages send no Referer (Referrer-Policy: no-referrer), so loginUrl comes back to `/`;
      // like bffFetch, the page puts its own location in returnTo before following it.
      const loginUrl = new URL(refused.body.loginUrl as string, app);
      expect(loginUrl.origin + loginUrl.pathname).toBe(`${app}/auth/login`);
      expect(loginUrl.searchParams.get('acr_values')).toBe('mfa');
      loginUrl.searchParams.set('returnTo', '/healthz');

      await page.goto(loginUrl.href);
      await page.waitForURL((url) => url.origin === provider);
      await page.getByText('The app asks for a security key').waitFor();
      await page.getByLabel('Username').fill('alice');
      await page.getByRole('button', { name: 'Use a security key', exact: true }).click();
      await page.waitForURL(`${app}/healthz`);

      const allowed = await callAudit(page);
      expect(allowed.status).toBe(200);
      expect(allowed.body).toMatchObject({ caller: 'alice', audit: { title: 'Audit log' } });
      const session = await page.evaluate(async () => (await fetch('/auth/session')).json() as Promise<{ user: { acr?: string } }>);
      expect(session.user.acr).toBe('mfa');
    } finally {
      await context.close();
    }
  });
});
