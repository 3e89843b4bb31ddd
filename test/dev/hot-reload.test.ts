import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { freePorts, startNpmRunDev, type DevProcess } from './dev-process.ts';

// Hot reload, seen in the page: `npm run dev` in a temporary copy of the project, a component's
// source edited on disk, the new text appearing without a full page load.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COPIED = ['build', 'client', 'shared', 'bff', 'demo', 'package.json', 'tsconfig.json', 'vite.config.ts'];

let copy: string;
let dev: DevProcess | undefined;
let browser: Browser | undefined;

/** The project without its build output; node_modules is a folder of links so Vite's cache stays in the copy. */
async function copyProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bff-dev-hmr-'));
  for (const name of COPIED) await cp(join(ROOT, name), join(dir, name), { recursive: true, filter: (src) => !src.includes(`${join(ROOT, 'client', 'dist')}`) });
  await mkdir(join(dir, 'node_modules'));
  for (const entry of await readdir(join(ROOT, 'node_modules'))) {
    if (entry !== '.vite') await symlink(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  return dir;
}

/** The .tsx file under client/ whose source holds `text` as JSX text. */
async function componentShowing(dir: string, text: string): Promise<string> {
  const files = (await readdir(join(dir, 'client'), { recursive: true })).filter((f) => f.endsWith('.tsx'));
  for (const f of files) {
    const source = await readFile(join(dir, 'client', f), 'utf8');
    if ([`>${text}<`, `'${text}'`, `"${text}"`].some((form) => source.includes(form))) return join(dir, 'client', f);
  }
  throw new Error(`no component under client/ holds the text ${JSON.stringify(text)}`);
}

beforeAll(async () => {
  copy = await copyProject();
  const [devPort, bffPort, providerPort, apiPort] = await freePorts(4);
  dev = startNpmRunDev(copy, { DEV_PORT: String(devPort), PORT: String(bffPort), DEMO_PROVIDER_PORT: String(providerPort), DEMO_API_PORT: String(apiPort), LOG_LEVEL: 'warn' });
  await dev.waitForOutput(/Dev server with hot reload: http:\/\/localhost:\d+/, 120_000);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await dev?.stop();
  if (copy) await rm(copy, { recursive: true, force: true });
}, 60_000);

it('an edited component shows its new text in the open page, without a full reload', async () => {
  const origin = dev!.output().match(/Dev server with hot reload: (http:\/\/localhost:\d+)/)![1]!;
  const context = await browser!.newContext();
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  // Vite's client logs this once its HMR socket is up; an edit made before that would be missed.
  const connected = page.waitForEvent('console', { predicate: (m) => m.text().includes('[vite] connected'), timeout: 60_000 });
  await page.goto(`${origin}/`);
  const heading = page.getByRole('heading', { level: 1 });
  await heading.waitFor();
  const before = (await heading.textContent())!.trim();
  expect(before.length).toBeGreaterThan(0);

  await connected;
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  const file = await componentShowing(copy, before);
  const source = await readFile(file, 'utf8');
  const edited = `${before} (edited)`;
  await writeFile(file, source.replace(`>${before}<`, `>${edited}<`).replace(`'${before}'`, `'${edited}'`).replace(`"${before}"`, `"${edited}"`));

  await page.getByRole('heading', { level: 1, name: edited, exact: true }).waitFor({ timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await context.close();
}, 150_000);
