import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { freePorts, startNpmRunDev, type DevProcess } from './dev-process.ts';

// `npm run dev` as a newcomer runs it: the real script in a child process (on free ports), the
// page in Chromium, a sign-in through the embedded provider, all through the dev server's origin.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEP_MS = 30_000;

let dev: DevProcess;
let browser: Browser;
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
    for (const module of ['/api/queryClient.ts', '/auth/useSession.ts']) {
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
