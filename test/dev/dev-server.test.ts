import { fileURLToPath } from 'node:url';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBff } from '../support/bff.ts';
import { DEFAULT_CLIENT } from '../support/idp/index.ts';
import { Browser, location } from '../support/browser.ts';
import { launchChromium } from '../support/chromium.ts';
import { freePorts, startNpmRunDev, type DevProcess } from './dev-process.ts';

// `npm run dev` as a newcomer runs it: the real script in a child process (on free ports), the
// page in Chromium, a sign-in through the embedded provider, all through the dev server's origin.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEP_MS = 30_000;

let dev: DevProcess;
let browser: Chromium;
let origin: string;
let providerOrigin: string;

beforeAll(async () => {
  const [devPort, bffPort, providerPort, apiPort] = await freePorts(4);
  dev = startNpmRunDev(ROOT, { DEV_PORT: String(devPort), PORT: String(bffPort), DEMO_PROVIDER_PORT: String(providerPort), DEMO_API_PORT: String(apiPort), LOG_LEVEL: 'warn' });
  const [, served] = await dev.waitForOutput(/Dev server with hot reload: (http:\/\/localhost:\d+)/, 120_000);
  origin = served!;
  providerOrigin = `http://localhost:${providerPort}`;
  expect(origin).toBe(`http://localhost:${devPort}`);
  expect(dev.output()).toContain(`Demo OpenID Provider  ${providerOrigin}`);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await dev?.stop();
}, 60_000);

async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

describe('npm run dev', () => {
  it("serves the SPA's own modules under /api and /auth itself, and proxies only the BFF's routes", async () => {
    // Regression: the proxy took all of /api and /auth, so these modules got 403/404 and the page stayed blank.
    for (const module of ['/api/queries.ts', '/auth/session.ts', '/auth/SessionGate.tsx']) {
      const res = await fetch(`${origin}${module}`);
      expect(res.status, module).toBe(200);
      expect(res.headers.get('content-type'), module).toMatch(/javascript/);
    }
    const session = await fetch(`${origin}/auth/session`);
    expect(await session.json()).toEqual({ authenticated: false });
    const api = await fetch(`${origin}/api/me`);
    expect(api.headers.get('content-type')).toMatch(/problem\+json/);
    const login = await fetch(`${origin}/auth/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    // The provider returns to the port actually served.
    expect(new URL(login.headers.get('location')!).searchParams.get('redirect_uri')).toBe(`${origin}/auth/callback`);
  }, 60_000);

  it('loads the page in Chromium and signs in through the dev server', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).first().click();
    await page.waitForURL((url) => url.origin === providerOrigin);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not-checked');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === origin && url.pathname === '/');
    await page.getByText('Alice Demo').first().waitFor();
    const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
    expect(session).toMatchObject({ authenticated: true, user: { sub: 'alice' } });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});

describe('npm run dev with your own provider (README, First hour, step 3.4)', () => {
  it('starts only Vite, proxies to the BFF at BFF_DEV_TARGET, and signs in through the dev origin', async () => {
    const [devPort] = await freePorts(1);
    const devOrigin = `http://localhost:${devPort}`;
    // The BFF the developer runs in the other terminal (here against the msw provider kit).
    const bff = await startTestBff({ env: { BFF_PUBLIC_URL: devOrigin }, idpOptions: { clients: [{ ...DEFAULT_CLIENT, redirect_uris: [`${devOrigin}/auth/callback`], post_logout_redirect_uris: [`${devOrigin}/`] }] } });
    const own = startNpmRunDev(ROOT, { DEV_PORT: String(devPort), OIDC_ISSUER: bff.idp.issuer, BFF_DEV_TARGET: bff.url });
    try {
      await own.waitForOutput(/Dev server with hot reload: /, 120_000);
      expect(own.output()).toContain(`register ${devOrigin}/auth/callback as a redirect URI`);
      expect(own.output()).not.toContain('Demo OpenID Provider');
      expect((await fetch(`${devOrigin}/auth/session.ts`)).headers.get('content-type')).toMatch(/javascript/);

      const browser = new Browser(devOrigin);
      expect((await bff.signIn(browser, '/notes')).status).toBe(302);
      expect(location(await browser.get('/auth/login')).searchParams.get('redirect_uri')).toBe(`${devOrigin}/auth/callback`);
      const session = (await (await browser.get('/auth/session')).json()) as { authenticated: boolean; user?: { sub: string } };
      expect(session).toMatchObject({ authenticated: true, user: { sub: 'alice' } });
    } finally {
      await own.stop();
      await bff.close();
    }
  }, 180_000);
});
