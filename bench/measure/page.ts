import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEmbeddedStack } from '../../demo/stack.ts';
import { launchChromium } from '../../test/support/chromium.ts';
import { median } from './stats.ts';

// How the SPA loads on a slow phone, measured in Chromium with the Performance APIs (what
// Lighthouse reads, without Lighthouse: it needs Node 22). Throttled through the DevTools
// protocol like Lighthouse's mobile preset: 4× slower CPU, 150 ms RTT, 1.6 Mbit/s down.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const THROTTLING = { cpuSlowdown: 4, rttMs: 150, downKbps: 1600, upKbps: 750 } as const;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const RUNS = 3;
const STEP_MS = 60_000;

export interface PageLoad {
  /** First contentful paint, ms after navigation start. */
  fcpMs: number;
  /** Largest contentful paint, ms. */
  lcpMs: number;
  /** Cumulative layout shift (unitless; "good" is ≤ 0.1). */
  cls: number;
  /** Bytes over the network for the document and everything it loaded. */
  transferredBytes: number;
  jsTransferredBytes: number;
}

export interface PageFigures {
  throttling: typeof THROTTLING;
  runs: number;
  /** The signed-out home page, as served (precompressed, chosen by Accept-Encoding). */
  precompressed: PageLoad;
  /** The same page with `Accept-Encoding: identity`: what every browser got before precompression. */
  uncompressed: PageLoad;
  /** The signed-in home page (the header gains the navigation and the account menu). */
  signedIn: PageLoad;
}

// Runs in the page before any of its scripts: LCP and layout shifts are only observable as they happen.
const OBSERVE = `(() => {
  const w = window; w.__lcp = 0; w.__cls = 0;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__lcp = e.startTime; }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) w.__cls += e.value; }).observe({ type: 'layout-shift', buffered: true });
})();`;

async function ensureBuilt(): Promise<void> {
  if (existsSync(`${ROOT}dist/spa/index.html`)) return;
  await promisify(execFile)(process.execPath, [`${ROOT}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

async function throttle(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: THROTTLING.rttMs,
    downloadThroughput: (THROTTLING.downKbps * 1000) / 8,
    uploadThroughput: (THROTTLING.upKbps * 1000) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLING.cpuSlowdown });
}

/** One cold load of `url` until its `<h1>` shows, then what the Performance APIs recorded. */
async function loadOnce(context: BrowserContext, url: string): Promise<PageLoad> {
  const page = await context.newPage();
  try {
    await throttle(page);
    await page.goto(url, { waitUntil: 'load', timeout: STEP_MS });
    await page.locator('h1').first().waitFor({ timeout: STEP_MS });
    // Two frames after the heading: its paint, and any shift it caused, are recorded by then.
    return await page.evaluate(
      () =>
        new Promise<PageLoad>((resolve) =>
          requestAnimationFrame(() =>
            requestAnimationFrame(() => {
              const w = window as unknown as { __lcp: number; __cls: number };
              const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
              const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
              const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
              resolve({
                fcpMs: fcp,
                lcpMs: w.__lcp,
                cls: w.__cls,
                transferredBytes: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
                jsTransferredBytes: resources.filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js')).reduce((s, r) => s + r.transferSize, 0),
              });
            }),
          ),
        ),
    );
  } finally {
    await page.close();
  }
}

async function medianLoad(context: BrowserContext, url: string): Promise<PageLoad> {
  const loads: PageLoad[] = [];
  for (let i = 0; i < RUNS; i += 1) loads.push(await loadOnce(context, url));
  const of = (pick: (l: PageLoad) => number) => median(loads.map(pick));
  return { fcpMs: of((l) => l.fcpMs), lcpMs: of((l) => l.lcpMs), cls: of((l) => l.cls), transferredBytes: of((l) => l.transferredBytes), jsTransferredBytes: of((l) => l.jsTransferredBytes) };
}

async function phoneContext(browser: Browser, headers?: Record<string, string>): Promise<BrowserContext> {
  const context = await browser.newContext({ ...PHONE, locale: 'en-US', ...(headers ? { extraHTTPHeaders: headers } : {}) });
  await context.addInitScript(OBSERVE);
  return context;
}

/** The page-load figures of the bench: the embedded default on loopback, Chromium throttled. */
export async function measurePageLoads(progress: (line: string) => void): Promise<PageFigures> {
  await ensureBuilt();
  const stack = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent' });
  const browser = await launchChromium();
  try {
    const app = stack.config.publicOrigin;
    progress(`page load: ${RUNS} cold loads each, CPU ${THROTTLING.cpuSlowdown}× slower, ${THROTTLING.rttMs} ms RTT, ${THROTTLING.downKbps} kbit/s`);
    const precompressed = await medianLoad(await phoneContext(browser), `${app}/`);
    const uncompressed = await medianLoad(await phoneContext(browser, { 'accept-encoding': 'identity' }), `${app}/`);

    const signedInContext = await phoneContext(browser);
    const page = await signedInContext.newPage();
    await page.goto(`${app}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Alice Demo' }).waitFor({ timeout: STEP_MS });
    await page.close();
    const signedIn = await medianLoad(signedInContext, `${app}/`);
    return { throttling: THROTTLING, runs: RUNS, precompressed, uncompressed, signedIn };
  } finally {
    await browser.close().catch(() => undefined);
    await stack.close();
  }
}
