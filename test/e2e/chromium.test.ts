import { describe, expect, it } from 'vitest';
import { CHROMIUM_CANDIDATES, findChromium } from '../support/chromium.ts';

// How the end-to-end tests find their browser, and how they fail when there is none.

describe('findChromium', () => {
  it('prefers CHROME_PATH when it exists', () => {
    expect(findChromium({ CHROME_PATH: '/opt/chrome/chrome' }, (p) => p === '/opt/chrome/chrome' || p === '/usr/bin/chromium')).toBe('/opt/chrome/chrome');
  });

  it('takes the first candidate that exists, in order', () => {
    expect(findChromium({}, (p) => p === '/usr/bin/google-chrome' || p === '/snap/bin/chromium')).toBe('/usr/bin/google-chrome');
    expect(findChromium({ CHROME_PATH: '' }, (p) => p === CHROMIUM_CANDIDATES[0])).toBe('/usr/bin/chromium');
  });

  it('throws, saying how to get a browser, when there is none', () => {
    expect(() => findChromium({}, () => false)).toThrow(/apt-get install -y chromium.*CHROME_PATH/s);
  });

  it('throws when CHROME_PATH points at nothing rather than silently using another browser', () => {
    expect(() => findChromium({ CHROME_PATH: '/nope/chrome' }, (p) => p !== '/nope/chrome')).toThrow(/CHROME_PATH is set to \/nope\/chrome.*apt-get install -y chromium/s);
  });
});
