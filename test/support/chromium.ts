import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// The end-to-end tests drive a Chromium that is already on the machine (playwright-core ships no
// browser, and the tests must never download one). CHROME_PATH wins; otherwise the usual places.

export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
] as const;

export const NO_CHROMIUM_MESSAGE =
  'No Chromium found for the end-to-end tests (looked at ' +
  CHROMIUM_CANDIDATES.join(', ') +
  '). Install one with `apt-get install -y chromium` (Debian/Ubuntu), ' +
  'or set CHROME_PATH to the executable of a Chromium or Chrome.';

/** Flags for a quiet, deterministic headless run that talks to nothing but the app under test. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/**
 * The Chromium executable to use: `CHROME_PATH` when set, else the first candidate that exists.
 * Throws (never returns undefined) so a machine without a browser fails the tests loudly.
 */
export function findChromium(env: Record<string, string | undefined> = process.env, exists: (path: string) => boolean = existsSync): string {
  const configured = env.CHROME_PATH?.trim();
  if (configured) {
    if (!exists(configured)) throw new Error(`CHROME_PATH is set to ${configured}, which does not exist. ${NO_CHROMIUM_MESSAGE}`);
    return configured;
  }
  const found = CHROMIUM_CANDIDATES.find((path) => exists(path));
  if (!found) throw new Error(NO_CHROMIUM_MESSAGE);
  return found;
}

export function launchChromium(executablePath: string = findChromium()): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
