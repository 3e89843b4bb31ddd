import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from '../../demo/stack.ts';
import { findChromium, launchChromium } from './chromium.ts';

export interface ChromiumStack {
  browser: Browser;
  /** The origin the browser must use (the BFF's public origin). */
  app: string;
  /** The embedded provider's origin. */
  provider: string;
}

/**
 * The Chromium tests' setup, once per file: the embedded default (`npm start` without a provider)
 * on free loopback ports, and a Chromium. `prepare` runs first (a build, a screenshot folder).
 * Without a Chromium, `use` gets `{ noBrowser }` and each test throws it, so the run fails with
 * the message that says how to get one.
 */
export function useChromiumOnEmbeddedStack(use: (started: ChromiumStack | { noBrowser: Error }) => void, prepare?: () => Promise<void>): void {
  let stack: EmbeddedStack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    let executablePath: string;
    try {
      executablePath = findChromium();
    } catch (err) {
      use({ noBrowser: err as Error });
      return;
    }
    await prepare?.();
    stack = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent' });
    browser = await launchChromium(executablePath);
    use({ browser, app: stack.config.publicOrigin, provider: new URL(stack.provider.issuer).origin });
  }, 90_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stack?.close();
  });
}

/**
 * Signs in from the app's home page with the embedded provider's password form (no second factor);
 * resolves on the signed-in page, whose heading is the user's name.
 */
export async function signInOnApp(page: Page, stack: Pick<ChromiumStack, 'app' | 'provider'>, username: string, displayName: string): Promise<void> {
  await page.goto(`${stack.app}/`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.origin === stack.provider);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: displayName, exact: true }).waitFor();
}
