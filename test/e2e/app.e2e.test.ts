import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, ConsoleMessage, Page, Response as PwResponse } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromiumOnEmbeddedStack } from '../support/chromium-stack.ts';

// The whole product in a real browser: the embedded stack (oidc-provider, demo API, BFF serving
// the built SPA) driven by headless Chromium through the provider's own login page. Besides the
// user-visible flow it watches everything the browser receives for tokens, and every app page
// for console errors.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST_INDEX = `${ROOT}dist/spa/index.html`;
const SHOTS = `${ROOT}test-results/e2e`;

const STEP_MS = 15_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;
const TOKEN_KEY = /\b(access_token|refresh_token|id_token)\b/i;
const BODY_TYPES = new Set(['fetch', 'xhr', 'document']);

let browser: Browser;
let app: string; // the origin the browser must use: stack.config.publicOrigin
let provider: string;
/** No Chromium: every test fails with the how-to-get-one message (a failing hook would show them as skipped). */
let noBrowser: Error | undefined;

/**
 * `npm test` builds first; this is the safety net for `npx vitest run test/e2e` on a fresh checkout.
 * A child process rather than Vite's `build()`: vitest sets NODE_ENV=test, which would make an
 * in-process build bundle React's development build (and trip the JS budget).
 */
async function ensureSpaBuilt(): Promise<void> {
  if (existsSync(DIST_INDEX)) return;
  await promisify(execFile)(process.execPath, [`${ROOT}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    timeout: 60_000,
  });
  if (!existsSync(DIST_INDEX)) throw new Error(`vite build did not produce ${DIST_INDEX}`);
}

useChromiumOnEmbeddedStack((started) => {
  if ('noBrowser' in started) noBrowser = started.noBrowser;
  else ({ browser, app, provider } = started);
}, async () => {
  await ensureSpaBuilt();
  await rm(SHOTS, { recursive: true, force: true });
  await mkdir(SHOTS, { recursive: true });
});

// ---------------------------------------------------------------------------------------------
// Watching the browser

interface Received {
  url: string;
  status: number;
  type: string;
  headers: Record<string, string>;
  body?: string;
}

interface Watched {
  context: BrowserContext;
  page: Page;
  received: Received[];
  requestUrls: string[];
  navigations: string[];
  /** Console errors and uncaught exceptions on the app's own pages. */
  problems: string[];
  /** A browser-logged failed resource the scenario causes on purpose (e.g. a reader's 403). */
  expectFailedResource(status: number, path: RegExp): void;
  /** Waits for every pending body read, then checks everything received so far. */
  assertNoTokensReceived(): Promise<void>;
  assertNoConsoleErrors(): void;
  assertBrowserStorageClean(): Promise<void>;
  close(): Promise<void>;
}

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
};

async function openWatched(): Promise<Watched> {
  if (noBrowser) throw noBrowser;
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const received: Received[] = [];
  const pending: Promise<unknown>[] = [];
  const requestUrls: string[] = [];
  const navigations: string[] = [];
  const problems: string[] = [];
  // Failures a test expects (`expectFailedResource`), so the console check does not count them.
  const allowedFailures: { status: number; path: RegExp }[] = [];

  context.on('request', (request) => requestUrls.push(request.url()));
  context.on('response', (response: PwResponse) => {
    const origin = originOf(response.url());
    if (origin !== app && origin !== provider) return;
    const entry: Received = { url: response.url(), status: response.status(), type: response.request().resourceType(), headers: {} };
    received.push(entry);
    pending.push(response.allHeaders().then((h) => (entry.headers = h), () => undefined));
    // An event stream (the notes panel's live feed) ends only with the page: its body is never awaited.
    const eventStream = response.headers()['content-type']?.startsWith('text/event-stream') === true;
    if (BODY_TYPES.has(entry.type) && !eventStream && (entry.status < 300 || entry.status >= 400)) {
      // A body can be gone once the page navigated on; those are skipped, not failed.
      pending.push(response.text().then((text) => (entry.body = text), () => undefined));
    }
  });

  const page = await context.newPage();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error' || originOf(page.url()) !== app) return;
    const failed = /^Failed to load resource: the server responded with a status of (\d+)/.exec(message.text());
    const where = message.location().url;
    if (failed && allowedFailures.some((a) => a.status === Number(failed[1]) && originOf(where) === app && a.path.test(new URL(where).pathname))) return;
    problems.push(`console.error on ${page.url()}: ${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => {
    if (originOf(page.url()) === app) problems.push(`uncaught on ${page.url()}: ${error.stack ?? error.message}`);
  });

  return {
    context,
    page,
    received,
    requestUrls,
    navigations,
    problems,
    expectFailedResource(status, path) {
      allowedFailures.push({ status, path });
    },
    async assertNoTokensReceived() {
      await Promise.all(pending);
      for (const url of requestUrls) {
        expect(url, 'a URL the browser requested').not.toMatch(JWT);
        expect(url, 'a URL the browser requested').not.toMatch(TOKEN_KEY);
      }
      for (const r of received) {
        const where = `${r.status} ${r.url}`;
        if (originOf(r.url) === app) {
          for (const [name, value] of Object.entries(r.headers)) expect(`${name}: ${value}`, `a header of ${where}`).not.toMatch(JWT);
          if (r.body !== undefined) expect(r.body, `the body of ${where}`).not.toMatch(JWT);
        }
        if (r.body !== undefined) expect(r.body, `the body of ${where}`).not.toMatch(TOKEN_KEY);
      }
    },
    assertNoConsoleErrors() {
      expect(problems).toEqual([]);
    },
    async assertBrowserStorageClean() {
      // Read on an app page: that is the origin whose storage could hold a leaked token.
      expect(originOf(page.url())).toBe(app);
      const storage = await page.evaluate(() => {
        const dump = (s: Storage) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i) ?? '')}`);
        return { cookie: document.cookie, local: dump(localStorage), session: dump(sessionStorage) };
      });
      expect(storage.cookie, 'document.cookie (the session cookie is HttpOnly)').toBe('');
      for (const entry of [...storage.local, ...storage.session]) {
        expect(entry).not.toMatch(JWT);
        expect(entry).not.toMatch(/token/i);
      }
    },
    close: () => context.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Steps

let shot = 0;
async function screenshot(page: Page, name: string): Promise<void> {
  shot += 1;
  await page.screenshot({ path: `${SHOTS}/${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true, animations: 'disabled' });
}

const isApp = (path: string) => (url: URL) => url.origin === app && url.pathname === path;
const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

/** Signed out on the app → the provider's login form → back on the app as `username`. */
async function signIn(w: Watched, username: string, displayName: string, shots?: { before: string; login: string }): Promise<void> {
  const { page } = w;
  await page.goto(`${app}/`);
  await h1(page, 'Welcome').waitFor();
  if (shots) await screenshot(page, shots.before);

  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.origin === provider && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('not-checked');
  if (shots) await screenshot(page, shots.login);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  await page.waitForURL(isApp('/'));
  await h1(page, displayName).waitFor();
  expect(w.navigations.some((u) => originOf(u) === provider)).toBe(true);
}

const notesList = (page: Page) => page.getByRole('list', { name: 'Notes', exact: true });
const accountButton = (page: Page, name: string) => page.getByRole('banner').getByRole('button', { name: new RegExp(`^${name}`) });

/** Opens the user menu and picks one of its entries. */
async function fromUserMenu(page: Page, name: string, entry: { role: 'link' | 'button'; name: string }): Promise<void> {
  const button = accountButton(page, name);
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  await page.getByRole(entry.role, { name: entry.name, exact: true }).click();
}
const noteItem = (page: Page, text: string) => notesList(page).getByRole('listitem').filter({ hasText: text });

async function addNote(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'New note', exact: true }).fill(text);
  await page.getByRole('button', { name: 'Add note', exact: true }).click();
  await noteItem(page, text).waitFor();
  // Cleared once the create succeeded; that render may trail the list's by a tick.
  await expect.poll(() => page.getByRole('textbox', { name: 'New note', exact: true }).inputValue(), { timeout: STEP_MS }).toBe('');
}

async function openApiPanel(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API panel', exact: true }).click();
  await page.waitForURL(isApp('/api-panel'));
  await h1(page, 'API panel').waitFor();
}

async function callMe(page: Page, sub: string): Promise<void> {
  await page.getByRole('button', { name: 'Call /api/me', exact: true }).click();
  const response = page.getByLabel('Response from /api/me', { exact: true });
  await response.filter({ hasText: `"sub": "${sub}"` }).waitFor();
  const me = JSON.parse(await response.innerText()) as { sub: string };
  expect(me.sub).toBe(sub);
}

const sessionOf = (page: Page) => page.evaluate(async () => (await fetch('/auth/session', { credentials: 'same-origin' })).json() as Promise<unknown>);

// ---------------------------------------------------------------------------------------------

describe('the app in Chromium, against the embedded stack', () => {
  it('serves the SPA with its security and caching headers, and index.html for client routes', async () => {
    const w = await openWatched();
    try {
      const { page } = w;
      const doc = await page.goto(`${app}/`);
      expect(doc?.status()).toBe(200);
      const headers = await doc!.allHeaders();
      expect(headers['content-type']).toMatch(/^text\/html/);
      expect(headers['cache-control']).toMatch(/no-cache/);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBeTruthy();
      expect(headers['x-powered-by']).toBeUndefined();
      const csp = new Map(
        (headers['content-security-policy'] ?? '')
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name!.toLowerCase(), values] as const),
      );
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      const scriptSrc = csp.get('script-src') ?? csp.get('default-src');
      expect(scriptSrc, 'script-src (or default-src)').toBeDefined();
      expect(scriptSrc).not.toContain("'unsafe-inline'");
      await h1(page, 'Welcome').waitFor();

      // Hashed assets are cached forever; the document never without revalidation.
      const scripts = await page.locator('script[src]').evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).src));
      const hashed = scripts.filter((src) => /\/assets\/[^/]+\.js$/.test(new URL(src).pathname));
      expect(hashed.length).toBeGreaterThan(0);
      for (const src of hashed) {
        expect(originOf(src)).toBe(app);
        const asset = await page.request.get(src);
        expect(asset.status()).toBe(200);
        expect(asset.headers()['content-type']).toMatch(/javascript/);
        expect(asset.headers()['cache-control']).toMatch(/\bimmutable\b/);
      }
      // What Chromium itself downloaded: the precompressed variant, never the raw bundle.
      const loaded = w.received.filter((r) => r.type === 'script' && originOf(r.url) === app);
      expect(loaded.length).toBeGreaterThan(0);
      await expect.poll(() => loaded.every((r) => r.headers['content-encoding'] !== undefined)).toBe(true);
      for (const r of loaded) {
        expect(['br', 'gzip'], r.url).toContain(r.headers['content-encoding']);
        expect(r.headers.vary, r.url).toMatch(/accept-encoding/i);
      }
      const indexHtml = await page.request.get(`${app}/index.html`);
      expect(indexHtml.headers()['cache-control']).toMatch(/no-cache/);

      // A client-side route reloaded from the address bar: index.html, and the SPA takes over.
      const deep = await page.goto(`${app}/some/client/route`);
      expect(deep?.status()).toBe(200);
      expect((await deep!.allHeaders())['content-type']).toMatch(/^text\/html/);
      expect(await deep!.text()).toBe(await indexHtml.text());
      await h1(page, 'Page not found').waitFor();

      await w.assertNoTokensReceived();
      w.assertNoConsoleErrors();
    } finally {
      await w.close();
    }
  }, 45_000);

  it('alice signs in at the provider, calls the API, adds and deletes a note, and signs out', async () => {
    const w = await openWatched();
    try {
      const { page } = w;
      await page.goto(`${app}/`);
      await h1(page, 'Welcome').waitFor();
      const headerBefore = await page.getByRole('banner').boundingBox();
      await signIn(w, 'alice', 'Alice Demo', { before: 'signed-out-home', login: 'provider-login' });
      // The header kept its size when the session arrived: nothing below it moved.
      await accountButton(page, 'Alice Demo').waitFor();
      expect((await page.getByRole('banner').boundingBox())?.height).toBe(headerBefore?.height);
      // The picture from the provider's `picture` claim, loaded under the CSP.
      const avatar = accountButton(page, 'Alice Demo').locator('img');
      expect(await avatar.getAttribute('src')).toMatch(/^data:image\/svg\+xml,/);
      expect(await avatar.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

      // Profile, from the user menu: the name as heading, the claims from the session (never a token).
      await fromUserMenu(page, 'Alice Demo', { role: 'link', name: 'Your profile' });
      await page.waitForURL(isApp('/profile'));
      const claims = page.getByRole('region', { name: 'Your claims', exact: true });
      await claims.waitFor();
      for (const text of ['sub', 'alice', 'alice@example.com', 'editor']) await claims.getByText(text, { exact: true }).first().waitFor();
      expect(await claims.innerText()).not.toMatch(TOKEN_KEY);
      await screenshot(page, 'alice-profile');
      await w.assertBrowserStorageClean();

      // API panel: one relayed call, answered by the demo API with its view of alice.
      await openApiPanel(page);
      await notesList(page).waitFor();
      await callMe(page, 'alice');
      await screenshot(page, 'alice-api-me');

      // A note: added, listed.
      const note = 'Remember the milk';
      await addNote(page, note);
      await screenshot(page, 'alice-note-added');

      // The same screens on a phone.
      await page.setViewportSize(PHONE);
      await screenshot(page, 'phone-api-panel');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home', exact: true }).click();
      await page.waitForURL(isApp('/'));
      await h1(page, 'Alice Demo').waitFor();
      await screenshot(page, 'phone-home');
      await page.setViewportSize(DESKTOP);

      // Delete (editor), after confirming: gone from the list, focus kept in the notes.
      await openApiPanel(page);
      await noteItem(page, note).waitFor();
      await noteItem(page, note).getByRole('button', { name: 'Delete', exact: true }).click();
      await noteItem(page, note).getByRole('button', { name: 'Yes, delete', exact: true }).click();
      await noteItem(page, note).waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: 'Note deleted.' }).waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Shared notes');
      expect(await page.getByRole('alert').count()).toBe(0);
      await screenshot(page, 'alice-note-deleted');
      await w.assertBrowserStorageClean();

      // Sign out: BFF → provider's end-session (auto-confirmed) → back home, signed out.
      const beforeLogout = w.navigations.length;
      await fromUserMenu(page, 'Alice Demo', { role: 'button', name: 'Sign out' });
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      await h1(page, 'Welcome').waitFor();
      expect(new URL(page.url()).origin).toBe(app);
      const logoutTrip = w.navigations.slice(beforeLogout);
      expect(logoutTrip.some((u) => originOf(u) === provider && new URL(u).pathname.startsWith('/session/end')), logoutTrip.join('\n')).toBe(true);
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      expect(await sessionOf(page)).toEqual({ authenticated: false });
      await screenshot(page, 'signed-out');
      await w.assertBrowserStorageClean();

      // The checks are only worth something if the interesting bodies were actually read.
      const read = new Set(w.received.filter((r) => r.body !== undefined).map((r) => new URL(r.url).pathname));
      for (const path of ['/auth/session', '/api/me', '/api/notes', '/']) expect(read, `read the body of ${path}`).toContain(path);
      expect([...read].some((p) => p.startsWith('/interaction/')), 'read the provider login page').toBe(true);
      await w.assertNoTokensReceived();
      w.assertNoConsoleErrors();
    } finally {
      await w.close();
    }
  }, 60_000);

  it('bob, a reader, reads the shared notes with no way to change them, and the API refuses him anyway', async () => {
    const w = await openWatched();
    try {
      const { page } = w;
      // The API's 403 is expected here; Chromium logs it as a failed resource.
      w.expectFailedResource(403, /^\/api\/notes$/);
      await signIn(w, 'bob', 'Bob Demo');
      await page.getByText(/signed in as a reader/).waitFor();

      await openApiPanel(page);
      await noteItem(page, 'These notes are shared').waitFor();
      await page.getByText(/Adding and deleting them is for editors/).waitFor();
      // The live feed (server-sent events from the demo API, relayed by the BFF) is open.
      await page.getByText(/^Live: changes by others appear here/).waitFor();
      expect(await page.getByRole('textbox', { name: 'New note', exact: true }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
      await screenshot(page, 'bob-reads-notes');

      // Hiding the buttons is a courtesy; the API is what refuses (through the BFF, with bob's token).
      const refused = await page.evaluate(async () => {
        const res = await fetch('/api/notes', { method: 'POST', headers: { 'x-csrf': '1', 'content-type': 'application/json' }, body: '{"text":"bob was here"}' });
        return { status: res.status, body: (await res.json()) as unknown };
      });
      expect(refused).toEqual({ status: 403, body: expect.objectContaining({ error: 'insufficient_scope' }) });

      await callMe(page, 'bob');
      expect(await sessionOf(page)).toMatchObject({ authenticated: true, user: { sub: 'bob' } });
      await w.assertBrowserStorageClean();
      await w.assertNoTokensReceived();
      w.assertNoConsoleErrors();
    } finally {
      await w.close();
    }
  }, 45_000);

  it('a deep link opened signed out offers sign-in and comes back to that very address', async () => {
    const w = await openWatched();
    try {
      const { page } = w;
      await page.goto(`${app}/api-panel?tab=notes`);
      await h1(page, 'Sign in required').waitFor();
      expect(await page.getByRole('button', { name: /sign in/i }).count()).toBe(1);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.origin === provider && url.pathname.startsWith('/interaction/'));
      await page.getByLabel('Username').fill('alice');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.origin === app && url.pathname === '/api-panel' && url.search === '?tab=notes');
      await h1(page, 'API panel').waitFor();
      await w.assertNoTokensReceived();
      w.assertNoConsoleErrors();
    } finally {
      await w.close();
    }
  }, 30_000);

  it('cancelling at the provider lands on the app’s neutral "Sign-in cancelled" page', async () => {
    const w = await openWatched();
    try {
      const { page } = w;
      await page.goto(`${app}/`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.origin === provider && url.pathname.startsWith('/interaction/'));
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      await page.waitForURL((url) => url.origin === app && url.pathname === '/login-error');
      await h1(page, 'Sign-in cancelled').waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
      await screenshot(page, 'sign-in-cancelled');
      expect(await sessionOf(page)).toEqual({ authenticated: false });
      await w.assertBrowserStorageClean();
      await w.assertNoTokensReceived();
      w.assertNoConsoleErrors();
    } finally {
      await w.close();
    }
  }, 30_000);
});
