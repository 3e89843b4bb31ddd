import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signInOnApp, useChromiumOnEmbeddedStack } from '../support/chromium-stack.ts';

// Every screen, as axe-core sees it, on a phone and a desktop, in light and dark: any violation
// fails. Each combination is also written to test-results/screens/ for a person to look at.
// One browser, one context per user, reused across screens, to keep the run short.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/screens`;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const STEP_MS = 15_000;

const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
const SCHEMES = ['light', 'dark'] as const;

let browser: Browser;
let app: string;
let provider: string;
const contexts: Record<'anonymous' | 'alice' | 'bob', BrowserContext | undefined> = { anonymous: undefined, alice: undefined, bob: undefined };
let noBrowser: Error | undefined;

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  return context;
}

const h1 = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name, exact: typeof name === 'string' });

async function signedInContext(username: string, displayName: string): Promise<BrowserContext> {
  const context = await newContext();
  const page = await context.newPage();
  await signInOnApp(page, { app, provider }, username, displayName);
  await page.close();
  return context;
}

useChromiumOnEmbeddedStack((started) => {
  if ('noBrowser' in started) noBrowser = started.noBrowser;
  else ({ browser, app, provider } = started);
}, async () => {
  await rm(SHOTS, { recursive: true, force: true });
  await mkdir(SHOTS, { recursive: true });
});

// After the stack and the browser (hooks run in the order they are declared).
beforeAll(async () => {
  if (noBrowser) return;
  contexts.anonymous = await newContext();
  [contexts.alice, contexts.bob] = await Promise.all([signedInContext('alice', 'Alice Demo'), signedInContext('bob', 'Bob Demo')]);
}, 60_000);

/** Violations as one readable line each: rule, impact, and where. */
function describeViolations(results: AxeResults): string[] {
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`));
}

/**
 * axe-core is evaluated over the DevTools protocol, which the page's CSP does not govern, so the
 * screens are checked under their real policy (no bypassCSP).
 */
async function axe(page: Page): Promise<AxeResults> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { resultTypes: ['violations'] };
  return page.evaluate((o) => (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe.run(document, o), options);
}

interface Screen {
  name: string;
  user: keyof typeof contexts;
  /** Opens the screen and waits until it is fully there. */
  open(page: Page): Promise<void>;
}

const SCREENS: Screen[] = [
  { name: 'home-signed-out', user: 'anonymous', open: async (p) => void (await p.goto(`${app}/`), await h1(p, 'Welcome').waitFor()) },
  { name: 'sign-in-required', user: 'anonymous', open: async (p) => void (await p.goto(`${app}/api-panel`), await h1(p, 'Sign in required').waitFor()) },
  {
    name: 'not-found-signed-out',
    user: 'anonymous',
    open: async (p) => void (await p.goto(`${app}/reports/7`), await p.getByRole('button', { name: 'Sign in', exact: true }).waitFor()),
  },
  {
    name: 'sign-in-cancelled',
    user: 'anonymous',
    open: async (p) => void (await p.goto(`${app}/login-error?error=access_denied`), await h1(p, 'Sign-in cancelled').waitFor()),
  },
  {
    name: 'sign-in-failed',
    user: 'anonymous',
    open: async (p) => void (await p.goto(`${app}/login-error?error=invalid_request&error_description=The+request+was+refused.`), await h1(p, 'Sign-in failed').waitFor()),
  },
  {
    name: 'provider-login',
    user: 'anonymous',
    open: async (p) => {
      await p.goto(`${app}/`);
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.waitForURL((url) => url.origin === provider);
      await h1(p, 'Sign in to the demo').waitFor();
    },
  },
  {
    name: 'provider-error',
    user: 'anonymous',
    open: async (p) => void (await p.goto(`${provider}/interaction/expired-attempt`), await p.getByRole('link', { name: 'Back to the app' }).waitFor()),
  },
  { name: 'home-editor', user: 'alice', open: async (p) => void (await p.goto(`${app}/`), await h1(p, 'Alice Demo').waitFor()) },
  {
    name: 'user-menu-open',
    user: 'alice',
    open: async (p) => {
      await p.goto(`${app}/`);
      await p.getByRole('banner').getByRole('button', { name: /^Alice Demo/ }).click();
      await p.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    },
  },
  { name: 'profile', user: 'alice', open: async (p) => void (await p.goto(`${app}/profile`), await p.getByRole('region', { name: 'Your claims' }).waitFor()) },
  {
    name: 'api-panel-editor',
    user: 'alice',
    open: async (p) => {
      await p.goto(`${app}/api-panel`);
      await p.getByRole('button', { name: 'Call /api/me', exact: true }).click();
      await p.getByLabel('Response from /api/me', { exact: true }).waitFor();
      // The empty-note message and a delete confirmation, so their styles are checked too.
      await p.getByRole('button', { name: 'Add note', exact: true }).click();
      await p.getByText('Write something first.', { exact: true }).waitFor();
      await p.getByRole('list', { name: 'Notes', exact: true }).getByRole('button', { name: 'Delete', exact: true }).first().click();
      await p.getByRole('button', { name: 'Yes, delete', exact: true }).waitFor();
    },
  },
  {
    name: 'api-panel-reader',
    user: 'bob',
    open: async (p) => void (await p.goto(`${app}/api-panel`), await p.getByText(/Adding and deleting them is for editors/).waitFor()),
  },
  {
    // Last for bob: it ends his session (the cookie is dropped, the next call finds no session).
    name: 'session-ended',
    user: 'bob',
    open: async (p) => {
      await p.goto(`${app}/api-panel`);
      await p.getByRole('button', { name: 'Call /api/me', exact: true }).waitFor();
      await p.context().clearCookies();
      // The notes panel's live feed may find the session gone first (its refetch answers 401); else this call does.
      await p.getByRole('button', { name: 'Call /api/me', exact: true }).click({ timeout: 3000 }).catch(() => undefined);
      await h1(p, 'You are no longer signed in').waitFor();
    },
  },
];

describe('the header', () => {
  it('is as tall signed out as signed in, on a phone and a desktop (no layout shift when the session arrives)', async () => {
    if (noBrowser) throw noBrowser;
    const heights: Record<string, number[]> = {};
    for (const user of ['anonymous', 'alice'] as const) {
      const page = await contexts[user]!.newPage();
      try {
        await page.goto(`${app}/`);
        await h1(page, user === 'alice' ? 'Alice Demo' : 'Welcome').waitFor();
        for (const [viewport, size] of Object.entries(VIEWPORTS)) {
          await page.setViewportSize(size);
          (heights[viewport] ??= []).push((await page.getByRole('banner').boundingBox())?.height ?? NaN);
        }
      } finally {
        await page.close();
      }
    }
    for (const [viewport, [signedOut, signedIn]] of Object.entries(heights)) expect(signedIn, viewport).toBe(signedOut);
  });
});

describe('every screen passes axe-core on a phone and a desktop, light and dark', () => {
  it.each(SCREENS.map((s) => [s.name, s] as const))('%s', async (_name, screen) => {
    if (noBrowser) throw noBrowser;
    const page = await contexts[screen.user]!.newPage();
    try {
      await screen.open(page);
      const found: string[] = [];
      for (const [viewport, size] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(size);
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
          found.push(...describeViolations(await axe(page)).map((v) => `${viewport}/${scheme}: ${v}`));
          await page.screenshot({ path: `${SHOTS}/${screen.name}-${viewport}-${scheme}.png`, fullPage: true, animations: 'disabled' });
        }
      }
      expect(found).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
