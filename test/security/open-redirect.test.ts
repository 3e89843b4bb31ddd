import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../bff/oidc/return-to.ts';
import { startTestBff, type TestBff } from '../support/bff.ts';

const ORIGIN = 'http://localhost:3000';

/** The open-redirect corpus: every one must come back as `/`. */
const HOSTILE = [
  'https://evil.example',
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/%09/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '%2F%2Fevil.example',
  '/%2F/evil.example',
  '/%5Cevil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http:evil.example',
  '///evil.example',
  '/%00/evil.example',
  ' /evil',
  'evil.example/path',
  '',
  '%E0%A4%A',
  // Dot segments that the URL parser resolves into a protocol-relative `//host` path.
  '/x/..//evil.example',
  '/..//evil.example',
  '/x/%2e%2e//evil.example',
  '/x/.%2E//evil.example/path?q=1',
  '/./..//evil.example',
];

describe('safeReturnTo', () => {
  for (const value of HOSTILE) {
    it(`replaces ${JSON.stringify(value)} with /`, () => {
      expect(safeReturnTo(value, ORIGIN)).toBe('/');
    });
  }

  it('replaces non-strings (duplicated parameters arrive as arrays)', () => {
    expect(safeReturnTo(['/a', '/b'], ORIGIN)).toBe('/');
    expect(safeReturnTo(undefined, ORIGIN)).toBe('/');
    expect(safeReturnTo({ a: 1 }, ORIGIN)).toBe('/');
  });

  it('keeps same-origin relative paths with query and hash', () => {
    expect(safeReturnTo('/notes?tab=2#top', ORIGIN)).toBe('/notes?tab=2#top');
    expect(safeReturnTo('/', ORIGIN)).toBe('/');
    expect(safeReturnTo('/a/b/../c', ORIGIN)).toBe('/a/c');
  });
});

describe('returnTo through the real sign-in', () => {
  let bff: TestBff;
  beforeAll(async () => {
    bff = await startTestBff();
  });
  afterAll(() => bff.close());

  for (const value of ['//evil.example', '/\\evil.example', 'https://evil.example', '/%09/evil.example', '/\t/evil.example', '/\r\n/evil.example', '\\\\evil.example', 'javascript:alert(1)']) {
    it(`a sign-in with returnTo=${JSON.stringify(value)} lands on /`, async () => {
      const res = await bff.signIn(bff.browser(), value);
      expect(res.headers.get('location')).toBe('/');
    });
  }

  // The check runs on the raw value, but the value returned is the URL parser's resolution of it:
  // `/x/..//evil.example` resolves to the path `//evil.example`, which a browser reads as a host.
  for (const value of ['/x/..//evil.example', '/x/%2e%2e//evil.example']) {
    it(`a sign-in with returnTo=${JSON.stringify(value)} (dot segments resolving to //host) never leaves the origin`, async () => {
      const res = await bff.signIn(bff.browser(), value);
      const target = res.headers.get('location')!;
      expect(target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\')).toBe(true);
      expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
    });
  }

  it('a sign-in with a safe returnTo lands there', async () => {
    const res = await bff.signIn(bff.browser(), '/profile?x=1');
    expect(res.headers.get('location')).toBe('/profile?x=1');
  });
});
