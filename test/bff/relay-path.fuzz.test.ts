import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BadPath } from '../../bff/errors.ts';
import { joinUpstreamPath, toUpstreamPath } from '../../bff/relay/path.ts';
import { rawExchange } from '../support/raw-http.ts';
import { useRelayFront } from '../support/relay-front.ts';

/**
 * Property: for every request target, `toUpstreamPath` either throws BadPath or returns a path that
 * stays inside the upstream's base path however the upstream reads it: as the WHATWG URL parser
 * resolves it (dot segments, `%2e`, `\`), and as a server that percent-decodes it (once or twice),
 * applies NFKC, treats `\` as `/`, strips `;params` and Windows' trailing dots and spaces.
 */

const BASES = ['/v1', '/v1/', '/', '/a/b'];

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * How a decoding server could read `relPath` (the part after the base): decoded once (a second
 * pass must change nothing), as is and after NFKC, `\\` as `/`, `;params` stripped, Windows'
 * trailing dots and spaces trimmed. Any dot segment or inner empty segment is a failure: the rules
 * promise none survives, so the check does not even need to count depth.
 */
function escapesWhenDecoded(relPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relPath);
  } catch {
    return 'accepted a path a decoding server cannot decode';
  }
  if (decoded.includes('%')) return 'decodes to a %: a second decoding would differ';
  if (CONTROL.test(decoded)) return 'decodes to a control character';
  for (const form of [decoded, decoded.normalize('NFKC')]) {
    if (form.includes('\\')) return 'decodes to a backslash';
    const segments = form.split('/').slice(1);
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      if (seg === '' && i !== segments.length - 1) return 'empty segment';
      const plain = seg.split(';')[0]!;
      if (/^[. ]*\.[. ]*$/.test(plain)) return `dot segment ${JSON.stringify(seg)}`;
    }
  }
  return undefined;
}

function insideBase(base: string, pathname: string): boolean {
  const prefix = base.endsWith('/') ? base.slice(0, -1) : base;
  return pathname === base || pathname === prefix || pathname.startsWith(prefix + '/');
}

/** Why `result` (accepted for `target`) is unsafe, or undefined. */
function problemWith(target: string, result: string): string | undefined {
  if ('/api' + result !== target) return 'not the raw rest of the target';
  const q = result.indexOf('?');
  const rel = q === -1 ? result : result.slice(0, q);
  const query = q === -1 ? '' : result.slice(q);
  if (rel !== '' && !rel.startsWith('/')) return 'does not start with /';
  if (rel.includes('//')) return 'contains //';
  if (/%(2f|5c|25)/i.test(rel)) return 'encoded / \\ or %';
  if (/[^\x21-\x7e]/.test(result)) return 'raw character outside 0x21-0x7e';
  if (query.includes('#') || rel.includes('#')) return 'fragment';
  for (const base of BASES) {
    const joined = joinUpstreamPath(base, result);
    const url = new URL(joined, 'http://upstream.internal');
    if (url.host !== 'upstream.internal') return `changes the host (${base})`;
    if (!insideBase(base, url.pathname)) return `WHATWG resolves ${joined} to ${url.pathname}`;
    // the same after one decoding pass, keeping ? and # in the path
    const decoded = decodeURIComponent(joined.slice(0, joined.length - query.length)).replace(/[?#]/g, encodeURIComponent);
    const url2 = new URL(decoded.normalize('NFKC').replace(/\\/g, '/'), 'http://upstream.internal');
    if (!insideBase(base, url2.pathname)) return `decoded, WHATWG resolves ${decoded} to ${url2.pathname}`;
  }
  return escapesWhenDecoded(rel);
}

/** Runs the pure function; returns 'refused', or the result after checking it. */
function check(target: string): 'refused' | 'accepted' {
  let result: string;
  try {
    result = toUpstreamPath(target);
  } catch (err) {
    if (err instanceof BadPath) return 'refused';
    throw err;
  }
  const why = problemWith(target, result);
  if (why) throw new Error(`${JSON.stringify(target)} → ${JSON.stringify(result)}: ${why}`);
  return 'accepted';
}

// ---------------------------------------------------------------------------------------------
// Generators

const TOKENS = [
  'a', 'b', 'users', '42', 'x.json', '~', '-', '_', '!', '$', "'", '(', '*', ',', '=', ':', '@', '[', '|',
  '.', '..', '...', '.a', 'a.', ' ', '%20', '.%20',
  '%2e', '%2E', '%2e%2e', '%2E%2e', '.%2e', '%2e.', '%252e', '%25', '%', '%2', '%zz', '%u002e',
  '%2f', '%2F', '%5c', '%5C', '\\', '/', '//', '..%2f', '%2e%2e%2f', '..\\',
  ';', ';x', '..;', '%3b', '%3B', '?', '#', '%3f', '%23', '&',
  '%00', '%0a', '%0d', '%09', '%7f', '\t', '\r\n', '\u0000', '\u007f',
  '%c3%a9', '%C3%A9', 'é', '\u00e9', '日本', '%e6%97%a5', '\u2025', '\uff0e', '%e2%80%a5', '%ef%bc%8e', '%ef%bc%8f', '%ef%bc%bc',
  '%e2%84%80', '%e2%80%8b', '%e2%80%ae', '%c2%85', '%c0%ae', '%c0%af', '%e0%80%ae', '%e0%a4', '%ff', '%fe', '%ed%a0%80',
  '%f0%9f%98%80', '%f4%90%80%80', '\ud83d\ude00', '\ud800',
];

const token = fc.constantFrom(...TOKENS);
const segment = fc.array(token, { minLength: 0, maxLength: 4 }).map((t) => t.join(''));
const prefix = fc.oneof(
  { weight: 12, arbitrary: fc.constant('/api/') },
  { weight: 1, arbitrary: fc.constantFrom('/api', '', '/', '/api//', '/API/', 'http://evil/api/', '//api/', '/api/./', '/apix/', '/api\\', ' /api/', '/api%2f', '*') },
);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.array(token, { maxLength: 4 }).map((t) => '?' + t.join('')) },
);
const tokenTarget = fc.tuple(prefix, fc.array(segment, { maxLength: 6 }), query).map(([p, s, q]) => p + s.join('/') + q);

/** Character-level noise over the alphabet of percent-encoding tricks. */
const charTarget = fc
  .string({ unit: fc.constantFrom('.', '/', '%', '2', '5', 'e', 'E', 'f', 'F', 'c', 'C', '\\', ';', 'a', '0', '?', 'b', 'd'), maxLength: 24 })
  .map((s) => '/api/' + s);

const webPathTarget = fc.webPath({ size: 'medium' }).map((p) => '/api' + p);
const binaryTarget = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => '/api/' + s);

// ---------------------------------------------------------------------------------------------

describe('toUpstreamPath, property-based (pure)', () => {
  const tally = { accepted: 0, refused: 0 };
  const runs: Array<[string, fc.Arbitrary<string>, number]> = [
    ['adversarial token paths', tokenTarget, 4_000],
    ['character-level percent noise', charTarget, 3_000],
    ['fast-check web paths', webPathTarget, 1_500],
    ['arbitrary unicode', binaryTarget, 1_500],
  ];

  it.each(runs)('%s: BadPath or a path that stays inside the base (%i runs)', (_name, arb, numRuns) => {
    fc.assert(
      fc.property(arb, (target) => {
        tally[check(target)]++;
      }),
      { numRuns },
    );
  });

  it('ran ≥ 10,000 cases with both outcomes well represented', () => {
    expect(tally.accepted + tally.refused).toBeGreaterThanOrEqual(10_000);
    expect(tally.accepted).toBeGreaterThan(1_000);
    expect(tally.refused).toBeGreaterThan(1_000);
  });

  it('the checker itself catches escapes (it would fail an unsafe implementation)', () => {
    for (const [target, result] of [
      ['/api/../x', '/../x'],
      ['/api/%2e%2e/x', '/%2e%2e/x'],
      ['/api/..%2fx', '/..%2fx'],
      ['/api/a\\..\\..\\x', '/a\\..\\..\\x'],
      ['/api/%252e%252e/x', '/%252e%252e/x'],
      ['/api/..;/x', '/..;/x'],
      ['/api/%e2%80%a5/x', '/%e2%80%a5/x'],
      ['/api//evil/x', '//evil/x'],
    ] as const) {
      expect(problemWith(target, result), target).toBeDefined();
    }
    expect(problemWith('/api/a/b?x=..', '/a/b?x=..')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: ~200 generated targets, byte for byte over a socket, through the real forwarder.

describe('toUpstreamPath + forward, end to end', () => {
  const h = useRelayFront();

  async function sendRaw(target: string): Promise<number> {
    const { responses } = await rawExchange(`http://127.0.0.1:${h.frontPort}`, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n`, 'utf8'));
    return responses[0]?.status ?? 0;
  }

  it('nothing outside the base path ever reaches the upstream (200 generated targets)', async () => {
    const targets = [
      ...fc.sample(tokenTarget, { numRuns: 120, seed: 42 }),
      ...fc.sample(charTarget, { numRuns: 60, seed: 43 }),
      ...fc.sample(webPathTarget, { numRuns: 20, seed: 44 }),
    ];
    let accepted = 0;
    for (const target of targets) {
      const before = h.upstream.seen.length;
      const status = await sendRaw(target);
      const got = h.upstream.seen.slice(before).map((seen) => seen.url);
      let expected: string | undefined;
      try {
        expected = toUpstreamPath(target);
      } catch {
        expected = undefined;
      }
      if (got.length === 0) {
        // refused by the relay or by node's own parser: never a 2xx
        expect(status, target).toBeGreaterThanOrEqual(400);
        continue;
      }
      accepted++;
      expect(got, target).toHaveLength(1);
      expect(status, target).toBe(200);
      expect(expected, target).toBeDefined();
      expect(got[0], target).toBe(joinUpstreamPath('/v1', expected!));
      expect(problemWith(target, expected!), target).toBeUndefined();
      const pathname = new URL(got[0]!, 'http://upstream.internal').pathname;
      expect(pathname === '/v1' || pathname.startsWith('/v1/'), target).toBe(true);
    }
    expect(targets).toHaveLength(200);
    expect(accepted).toBeGreaterThan(20);
  });
});
