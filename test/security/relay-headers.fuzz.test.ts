import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UnsupportedTransferCoding } from '../../bff/errors.ts';
import { downstreamResponseHeaders, HOP_BY_HOP, upstreamRequestHeaders, type RequestHeaderContext } from '../../bff/relay/headers.ts';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { startUpstream } from '../support/upstream.ts';
import { apiHeaderLines, rawExchange, rawRequest, signedIn } from './helpers.ts';
import type { Browser } from '../support/browser.ts';

/**
 * Property-based tests of the relay's header policy (bff/relay/headers.ts): for any header list a
 * browser (or an attacker with curl) could send, and any header list an upstream could answer, the
 * invariants of the contract hold. Header names are RFC 9110 tokens (all that node's parser lets
 * through), in random case; values are any visible text, commas and whitespace included.
 *
 * Runs: REQUEST_RUNS + RESPONSE_RUNS pure cases (counted and asserted below), plus E2E_RUNS
 * generated requests sent byte for byte through the real BFF to a recording upstream.
 */

const REQUEST_RUNS = 6_000;
const RESPONSE_RUNS = 4_000;
const E2E_RUNS = 40;

/** ASCII-only lower-casing: header names are ASCII tokens, and `toLowerCase` is what node uses for them. */
const lower = (s: string) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) | 0x20));

// ---------------------------------------------------------------------------------------------
// Generators

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Names whose treatment the contract fixes, in every casing the generator can think of. */
const HOSTILE_NAMES = [
  ...HOP_BY_HOP,
  'host', 'authorization', 'cookie', 'x-csrf', 'forwarded',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-prefix', 'x-forwarded-server', 'x-forwarded-',
  'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'x-cluster-client-ip',
  'x-original-url', 'x-rewrite-url', 'expect',
  'content-length', 'x-http-method-override', 'x-http-method', 'x-method-override',
  'set-cookie', 'set-cookie2', 'x-secret', 'x-internal-token',
];
/** End-to-end names that must pass untouched unless a Connection header names them. */
const ORDINARY_NAMES = ['accept', 'accept-language', 'content-type', 'if-none-match', 'x-request-id', 'user-agent', 'x-custom', 'cache-control', 'etag', 'link', 'www-authenticate', 'x-forwarded', 'xforwarded-for', 'x-forwardedfor'];

const randomCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((flips) => [...name].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join(''));

const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 12 });

const headerName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_NAMES).chain(randomCase) },
  { weight: 3, arbitrary: fc.constantFrom(...ORDINARY_NAMES).chain(randomCase) },
  { weight: 2, arbitrary: token },
  { weight: 1, arbitrary: token.map((t) => 'x-forwarded-' + t).chain(randomCase) },
);

/** Visible ASCII, spaces and tabs (what node's parser keeps in a value), with commas for lists. */
const headerValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019 \t,;=-_./:"()'.split('')), maxLength: 24 });

/** A Connection value: a comma list of names (some of which occur in the same message), odd spacing and case. */
function connectionValue(names: string[]) {
  const pick = names.length > 0 ? fc.oneof(fc.constantFrom(...names), headerName) : headerName;
  return fc
    .array(fc.tuple(pick.chain(randomCase), fc.constantFrom('', ' ', '\t', '  ')), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.map(([n, ws]) => ws + n + ws).join(','));
}

type Pair = [string, string];

/** A raw header list (`[name, value, …]`), sometimes with Connection headers naming others. */
const rawHeaderList = fc
  .array(fc.tuple(headerName, headerValue), { maxLength: 16 })
  .chain((pairs: Pair[]) =>
    fc.tuple(fc.constant(pairs), fc.array(connectionValue(pairs.map(([n]) => n)), { maxLength: 2 }), fc.array(fc.nat(), { maxLength: 2 })),
  )
  .map(([pairs, connections, positions]) => {
    const all: Pair[] = [...pairs];
    connections.forEach((value, i) => all.splice((positions[i] ?? 0) % (all.length + 1), 0, ['Connection', value]));
    return all;
  })
  // Now and then a method override, sometimes smuggling a refused method.
  .chain((pairs) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(pairs) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('X-HTTP-Method-Override', 'x-http-method', 'X-Method-Override'), fc.constantFrom('TRACE', ' trace ', 'Track', 'CONNECT', 'PATCH', 'delete'))
          .map((p): Pair[] => [...pairs, p]),
      },
      // A plain chunked body, the only transfer coding relayed (any other one is refused).
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('transfer-encoding').chain(randomCase), fc.constantFrom('chunked', ' Chunked ', 'CHUNKED'))
          .map((p): Pair[] => [...pairs.filter(([n]) => lower(n) !== 'transfer-encoding'), p]),
      },
    ),
  );

const flat = (pairs: Pair[]) => pairs.flat();
const pairsOf = (raw: readonly string[]): Pair[] => {
  const out: Pair[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
};

/** The names every Connection header of `pairs` lists (as the policy reads them: split on commas, trimmed, lower-cased). */
function connectionNamed(pairs: Pair[]): Set<string> {
  const named = new Set<string>();
  for (const [n, v] of pairs) if (lower(n) === 'connection') for (const part of v.split(',')) named.add(lower(part.trim()));
  return named;
}

// ---------------------------------------------------------------------------------------------
// Request policy

const CTX: RequestHeaderContext = { upstreamHost: 'api.internal:8443', forwardedProto: 'https', forwardedHost: 'app.example.com' };
const TOKEN = 'at_SECRET-token-value';
/** Set by the relay; a Connection header may not remove them. */
const OURS = new Set(['host', 'authorization', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);
/** Never forwarded from the client. */
const REQUEST_DROPPED = new Set([
  ...HOP_BY_HOP, 'cookie', 'x-csrf', 'forwarded', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip',
  'fastly-client-ip', 'x-cluster-client-ip', 'x-original-url', 'x-rewrite-url', 'expect',
]);
const isXForwarded = (n: string) => n.length > 12 && n.startsWith('x-forwarded-');
const isOverride = (n: string) => n === 'x-http-method-override' || n === 'x-http-method' || n === 'x-method-override';
const refusedOverride = (v: string) => ['TRACE', 'TRACK', 'CONNECT'].includes(v.trim().toUpperCase());

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Checks one request case; returns nothing, throws (via expect) on a broken invariant. */
function checkRequest(pairs: Pair[], method: string, remote: string | undefined, policy: typeof upstreamRequestHeaders = upstreamRequestHeaders): void {
  // A transfer coding other than plain `chunked` is refused outright (never relayed as chunked).
  if (pairs.some(([n, v]) => lower(n) === 'transfer-encoding' && lower(v.trim()) !== 'chunked')) {
    expect(() => policy(flat(pairs), method, remote, TOKEN, CTX)).toThrow(UnsupportedTransferCoding);
    return;
  }
  const { headers, hasBody } = policy(flat(pairs), method, remote, TOKEN, CTX);
  expect(headers.length % 2).toBe(0);
  const out = pairsOf(headers);
  const outNames = out.map(([n]) => lower(n));
  const count = (n: string) => outNames.filter((x) => x === n).length;
  const valueOf = (n: string) => out.find(([x]) => lower(x) === n)?.[1];

  // Ours, exactly once each, with our values.
  expect(out[0]).toEqual(['host', CTX.upstreamHost]);
  expect(count('host')).toBe(1);
  expect(count('authorization')).toBe(1);
  expect(valueOf('authorization')).toBe(`Bearer ${TOKEN}`);
  expect(count('x-forwarded-proto')).toBe(1);
  expect(valueOf('x-forwarded-proto')).toBe(CTX.forwardedProto);
  expect(count('x-forwarded-host')).toBe(1);
  expect(valueOf('x-forwarded-host')).toBe(CTX.forwardedHost);
  expect(count('x-forwarded-for')).toBe(remote === undefined ? 0 : 1);
  if (remote !== undefined) expect(valueOf('x-forwarded-for')).toBe(remote);

  // Nothing of the client's that must stay at the BFF.
  for (const n of outNames) {
    // Transfer-Encoding may only be the relay's own framing, checked below.
    if (n !== 'transfer-encoding') expect(REQUEST_DROPPED.has(n), `${n} must not be forwarded`).toBe(false);
    if (isXForwarded(n)) expect(OURS.has(n), `${n} must not be forwarded`).toBe(true);
  }
  expect(count('forwarded')).toBe(0);
  const named = connectionNamed(pairs);
  for (const n of named) if (!OURS.has(n) && n !== 'content-length' && n !== 'transfer-encoding') expect(count(n), `${n} is named in Connection`).toBe(0);
  for (const [n, v] of out) if (isOverride(lower(n))) expect(refusedOverride(v), `${n}: ${v}`).toBe(false);

  // Framing: the client's Transfer-Encoding never passes (at most the relay's own `chunked` for a
  // body it re-chunks); at most one Content-Length, the client's first one, and never both.
  const te = pairs.some(([n]) => lower(n) === 'transfer-encoding');
  const firstCl = pairs.find(([n]) => lower(n) === 'content-length')?.[1];
  expect(count('transfer-encoding')).toBeLessThanOrEqual(te ? 1 : 0);
  if (count('transfer-encoding') === 1) expect(valueOf('transfer-encoding')).toBe('chunked');
  if (te) {
    expect(count('content-length')).toBe(0);
    expect(hasBody).toBe(true);
  } else if (firstCl !== undefined) {
    expect(count('content-length')).toBe(1);
    expect(valueOf('content-length')).toBe(firstCl);
    expect(hasBody).toBe(firstCl !== '0');
  } else {
    expect(count('content-length')).toBe(['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method) ? 0 : 1);
    expect(hasBody).toBe(false);
  }

  // Completeness: every other client header passes, same name, same value, same order.
  const expected = pairs.filter(([n, v]) => {
    const l = lower(n);
    if (REQUEST_DROPPED.has(l) || OURS.has(l) || isXForwarded(l) || l === 'content-length') return false;
    if (named.has(l)) return false;
    if (isOverride(l) && refusedOverride(v)) return false;
    return true;
  });
  const passed = out.filter(([n]) => {
    const l = lower(n);
    return !OURS.has(l) && l !== 'content-length' && l !== 'transfer-encoding';
  });
  expect(passed).toEqual(expected);
}

// ---------------------------------------------------------------------------------------------
// Response policy

const RESPONSE_DROPPED = new Set([...HOP_BY_HOP, 'set-cookie', 'set-cookie2']);

function checkResponse(pairs: Pair[], policy: typeof downstreamResponseHeaders = downstreamResponseHeaders): void {
  const out = pairsOf(policy(flat(pairs)));
  const named = connectionNamed(pairs);
  for (const [n] of out) {
    const l = lower(n);
    expect(RESPONSE_DROPPED.has(l), `${n} must not reach the browser`).toBe(false);
    expect(named.has(l), `${n} is named in Connection`).toBe(false);
  }
  // Completeness: the rest passes in order (status and body framing are node's business).
  expect(out).toEqual(pairs.filter(([n]) => !RESPONSE_DROPPED.has(lower(n)) && !named.has(lower(n))));
}

const responseHeaderList = rawHeaderList.chain((pairs) =>
  fc
    .array(fc.tuple(fc.constantFrom('Set-Cookie', 'set-cookie', 'SET-COOKIE', 'Set-Cookie2'), fc.constantFrom('bff-session=forged; Path=/', 'upstream=1', '__Host-x=1; Secure')), { maxLength: 3 })
    .chain((cookies) => fc.shuffledSubarray([...pairs, ...cookies], { minLength: pairs.length + cookies.length })),
);

// ---------------------------------------------------------------------------------------------

describe('relay header policy, property-based (pure)', () => {
  const tally = { request: 0, response: 0, namedDropped: 0, cookiesDropped: 0 };

  it(`request policy: no client credential, hop-by-hop, Connection-named or forwarding header survives; ours are exactly ours (${REQUEST_RUNS} runs)`, () => {
    fc.assert(
      fc.property(rawHeaderList, fc.constantFrom(...METHODS), fc.option(fc.constantFrom('127.0.0.1', '::1', '10.1.2.3'), { nil: undefined }), (pairs, method, remote) => {
        tally.request++;
        if (connectionNamed(pairs).size > 0) tally.namedDropped++;
        checkRequest(pairs, method, remote);
      }),
      { numRuns: REQUEST_RUNS },
    );
  });

  it(`response policy: never Set-Cookie, hop-by-hop or Connection-named headers; the rest untouched (${RESPONSE_RUNS} runs)`, () => {
    fc.assert(
      fc.property(responseHeaderList, (pairs) => {
        tally.response++;
        if (pairs.some(([n]) => lower(n).startsWith('set-cookie'))) tally.cookiesDropped++;
        checkResponse(pairs);
      }),
      { numRuns: RESPONSE_RUNS },
    );
  });

  it('ran ≥ 10,000 generated cases, a fair share of them hostile', () => {
    expect(tally.request + tally.response).toBeGreaterThanOrEqual(10_000);
    expect(tally.namedDropped).toBeGreaterThan(REQUEST_RUNS / 10);
    expect(tally.cookiesDropped).toBeGreaterThan(RESPONSE_RUNS / 4);
  });

  it('the checkers themselves catch leaking policies (they would fail an unsafe implementation)', () => {
    const cases: Pair[][] = [
      [['Cookie', 'bff-session=x']],
      [['Connection', 'X-Secret'], ['X-Secret', '1']],
      [['X-Forwarded-For', '6.6.6.6']],
      [['Authorization', 'Bearer mine']],
      [['x-csrf', '1']],
      [['Forwarded', 'for=6.6.6.6']],
    ];
    /** The real policy, plus the client's headers appended verbatim. */
    const leakyRequest: typeof upstreamRequestHeaders = (raw, ...rest) => {
      const real = upstreamRequestHeaders(raw, ...rest);
      return { ...real, headers: [...real.headers, ...raw] };
    };
    for (const c of cases) {
      expect(() => checkRequest(c, 'GET', '127.0.0.1')).not.toThrow();
      expect(() => checkRequest(c, 'GET', '127.0.0.1', leakyRequest), JSON.stringify(c)).toThrow();
    }
    const leakyResponse: typeof downstreamResponseHeaders = (raw) => [...raw];
    for (const c of [[['Set-Cookie', 'a=1']], [['Connection', 'X-Z'], ['X-Z', '1']], [['Keep-Alive', 'timeout=5']]] as Pair[][]) {
      expect(() => checkResponse(c)).not.toThrow();
      expect(() => checkResponse(c, leakyResponse), JSON.stringify(c)).toThrow();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: generated header sets, byte for byte through the real BFF.

describe('relay header policy through the real BFF', () => {
  let bff: TestBff;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let b: Browser;
  beforeAll(async () => {
    upstream = await startUpstream();
    bff = await startTestBff({ env: { API_UPSTREAM_URL: upstream.url } });
    b = await signedIn(bff);
  });
  afterAll(async () => {
    await bff.close();
    await upstream.close();
  });

  /** Header lines node's parser accepts: no framing headers (the raw request must stay well-formed). */
  const e2eName = headerName.filter((n) => !['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade', 'x-csrf'].includes(lower(n)) && !isOverride(lower(n)));
  const e2eValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019 ,;=-_./:'.split('')), minLength: 1, maxLength: 16 }).map((v) => v.trim() || 'v');
  const e2eHeaders = fc
    .array(fc.tuple(e2eName, e2eValue), { minLength: 1, maxLength: 10 })
    .chain((pairs) => fc.tuple(fc.constant(pairs), fc.option(connectionValue(pairs.map(([n]) => n)), { nil: undefined })));

  it(`what reaches the upstream keeps the invariants (${E2E_RUNS} generated requests)`, async () => {
    const samples = fc.sample(e2eHeaders, { numRuns: E2E_RUNS, seed: 20_261_123 });
    for (const [pairs, connection] of samples) {
      const before = upstream.seen.length;
      const lines = [...apiHeaderLines(b), ...pairs.map(([n, v]) => `${n}: ${v}`), ...(connection ? [`Connection: keep-alive, ${connection}`] : [])];
      const { responses } = await rawExchange(bff.url, rawRequest('GET', '/api/fuzz', lines));
      expect(responses[0]?.status, lines.join('\n')).toBe(200);
      expect(upstream.seen.length).toBe(before + 1);
      const seen = upstream.seen.at(-1)!.headers;
      expect(seen.authorization).toMatch(/^Bearer at_/);
      expect(bff.issuedTokens).toContain(seen.authorization!.slice('Bearer '.length));
      expect(seen['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen['x-forwarded-proto']).toBe('http');
      expect(seen['x-forwarded-host']).toBe('localhost:3000');
      expect(seen.host).toBe(new URL(upstream.url).host);
      expect(seen.cookie).toBeUndefined();
      expect(seen['x-csrf']).toBeUndefined();
      expect(seen.forwarded).toBeUndefined();
      const named = connection ? connectionNamed([['Connection', connection]]) : new Set<string>();
      for (const name of Object.keys(seen)) {
        if (isXForwarded(name)) expect(OURS.has(name), name).toBe(true);
        if (!OURS.has(name) && name !== 'connection') {
          expect(REQUEST_DROPPED.has(name), name).toBe(false);
          expect(named.has(name), `${name} named in Connection`).toBe(false);
        }
      }
    }
  });
});
