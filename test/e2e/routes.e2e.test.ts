import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signInOnApp, useChromiumOnEmbeddedStack } from '../support/chromium-stack.ts';

// The routes table in a real browser, against the embedded default: bob (a reader) is told he has
// no access to the reports, calmly, and sees the app's own token at work on the catalog; signed
// out, the public route sees nobody. Needs the built SPA (`npm test` builds first; app.e2e builds
// it when missing).

const DIST_INDEX = fileURLToPath(new URL('../../dist/spa/index.html', import.meta.url));
/** For a person to look at: bob's "no access" on a phone. */
const SHOT = fileURLToPath(new URL('../../test-results/routes/bob-reports-phone.png', import.meta.url));
const STEP_MS = 15_000;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let app: string;
let provider: string;
let noBrowser: Error | undefined;

useChromiumOnEmbeddedStack((started) => {
  if ('noBrowser' in started) noBrowser = started.noBrowser;
  else ({ browser, app, provider } = started);
}, async () => {
  if (!existsSync(DIST_INDEX)) throw new Error(`No SPA build at ${DIST_INDEX}: run npm run build first.`);
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  return { context, page: await context.newPage() };
}

const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
const routeRow = (page: Page, path: string) => page.getByRole('list', { name: 'Routes', exact: true }).getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: path, exact: true }) });

/** axe-core's violations on the page as it is now (outcomes shown), one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { resultTypes: ['violations'] };
  const results = await page.evaluate((o) => (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe.run(document, o), options);
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/** Clicks the route's button and waits until its live region says how it went. */
async function call(page: Page, path: string, expected: string): Promise<Locator> {
  const row = routeRow(page, path);
  await row.getByRole('button', { name: `Call ${path}`, exact: true }).click();
  await row.getByRole('status').filter({ hasText: expected }).waitFor();
  return row;
}

/** Signs in on the app's page (password only) and opens the API panel. */
async function openPanelAs(page: Page, username: string, displayName: string): Promise<void> {
  await signInOnApp(page, { app, provider }, username, displayName);
  await page.goto(`${app}/api-panel`);
  await h1(page, 'API panel').waitFor();
}

describe('the routes panel in Chromium', () => {
  it("shows bob no access on reports, without an error, and the app on catalog, on a phone", async () => {
    if (noBrowser) throw noBrowser;
    const { context, page } = await newPage();
    try {
      await openPanelAs(page, 'bob', 'Bob Demo');

      const reports = await call(page, '/api/reports', "You don't have access to this.");
      await reports.getByText('Missing: roles.', { exact: true }).waitFor();
      expect(await reports.getByRole('alert').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Sign in again' }).count()).toBe(0);

      await call(page, '/api/catalog', 'The API saw: the app.');
      await call(page, '/api/partner', 'The API saw: bob.');
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        expect(await axeViolations(page), colorScheme).toEqual([]);
      }
      await reports.screenshot({ path: SHOT });
      // Nothing sideways on a phone: the page is no wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    } finally {
      await context.close();
    }
  });

  it('step-up through the SPA: the panel follows step_up_required to the security key and comes back to call again', async () => {
    if (noBrowser) throw noBrowser;
    const { context, page } = await newPage();
    try {
      await openPanelAs(page, 'alice', 'Alice Demo');

      // A password sign-in does not meet acr mfa: bffFetch takes the browser to the provider.
      await routeRow(page, '/api/audit').getByRole('button', { name: 'Call /api/audit', exact: true }).click();
      await page.waitForURL((url) => url.origin === provider);
      await page.getByText('The app asks for a security key').waitFor();
      await page.getByLabel('Username').fill('alice');
      await page.getByRole('button', { name: 'Use a security key', exact: true }).click();
      // Back on the page the call came from, now with a stronger session.
      await page.waitForURL(`${app}/api-panel`);
      await h1(page, 'API panel').waitFor();
      await call(page, '/api/audit', 'The API saw: alice.');
      const session = await page.evaluate(async () => (await fetch('/auth/session')).json() as Promise<{ user: { acr?: string } }>);
      expect(session.user.acr).toBe('mfa');
    } finally {
      await context.close();
    }
  });

  it('signed out, the home page calls the public route and the API sees nobody', async () => {
    if (noBrowser) throw noBrowser;
    const { context, page } = await newPage();
    try {
      await page.goto(`${app}/`);
      await h1(page, 'Welcome').waitFor();
      await call(page, '/api/public', 'The API saw: anonymous.');
      await call(page, '/api/reports', 'This route needs you signed in');
      expect(await page.getByRole('button', { name: 'Sign in again' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
