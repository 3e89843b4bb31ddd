import { BadPath, MethodNotAllowed } from '../errors.ts';

/**
 * The relay's path rules. `toUpstreamPath` decides on the RAW request target, before anything is
 * sent, and returns the rest of it unchanged (no decoding, no re-encoding): the upstream sees the
 * exact bytes the browser sent, or nothing at all.
 *
 * Accepted request targets: `/api` or `/api/…`, optionally followed by `?query`. The path after
 * `/api` is refused (BadPath, 400 `bad_path`) when it contains:
 *
 *  1. any raw character outside RFC 3986 `pchar` / `/` plus the few a browser leaves unencoded
 *     (`[ ] ^ |`): so no raw `\`, control characters, space, `"`, `<`, `>`, `` ` ``, `{`, `}`,
 *     `#`, DEL, or any raw non-ASCII character;
 *  2. a `%` not followed by two hex digits (`%zz`, `%`, `%u002e`…);
 *  3. an encoded `/` (`%2f`), `\` (`%5c`), `%` (`%25`: refused outright, so no double encoding
 *     such as `%252e` ever reaches a server that decodes twice), or control character
 *     (`%00`–`%1f`, `%7f`, and the C1 range `%c2%80`–`%c2%9f`);
 *  4. percent-encoded bytes that are not well-formed UTF-8 (broken or overlong sequences such as
 *     `%e0%a4` or `%c0%ae`, surrogates, code points above U+10FFFF);
 *  5. an empty segment anywhere but at the very end (`//`); a trailing `/` is fine;
 *  6. a dot segment in any encoding: a segment whose decoded text before its first `;` (path
 *     parameters, which Tomcat-like servers strip: `..;x`) consists only of dots and spaces
 *     and holds at least one dot (`.`, `..`, `%2e`, `.%2E`, `...`, `.. ` as `..%20`);
 *  7. a segment with non-ASCII text that, after Unicode NFKC normalisation (what some servers
 *     apply), would break rule 6 (`‥`, `．．`) or contain `/`, `\`, `%`, or a control/format
 *     character (`℀` → `a/c`, U+200B, bidi controls…).
 *
 * The query is passed through byte for byte; only raw characters outside 0x21–0x7e and `#` (a
 * fragment never belongs in a request target) are refused. Encoded bytes in the query are data.
 */

/** Class of each raw ASCII character of the path (anything else, and any non-ASCII, is refused). */
const K_BAD = 0;
const K_OTHER = 1;
const K_DOT = 2;
const K_SEMI = 3;
const K_PCT = 4;
const K_SLASH = 5;
const K_QUERY = 6;
const CLASS = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~!$&'()*+,=:@[]^|") {
  CLASS[c.charCodeAt(0)] = K_OTHER;
}
CLASS[0x2e] = K_DOT;
CLASS[0x3b] = K_SEMI;
CLASS[0x25] = K_PCT;
CLASS[0x2f] = K_SLASH;
CLASS[0x3f] = K_QUERY;

/** Hex digit value + 1 (0 = not a hex digit). */
const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i + 1;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = i + 11;
  HEX[97 + i] = i + 11;
}

const SLASH = 0x2f;
const PERCENT = 0x25;
const QUESTION = 0x3f;
const DOT = 0x2e;
const SPACE = 0x20;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;

/** Characters a normalised non-ASCII segment must not hold (checked only on the rare non-ASCII path). */
const NORMALIZED_FORBIDDEN = /[/\\%\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const ONLY_DOTS_AND_SPACES = /^[. ]*\.[. ]*$/;

function bad(why: string): never {
  throw new BadPath(why);
}

function hexAt(s: string, i: number): number {
  const c = s.charCodeAt(i); // NaN past the end
  return c < 128 ? HEX[c]! : 0;
}

/**
 * Given the raw request target (`req.url`, e.g. `/api/a/b?x=1`), returns the upstream path and
 * query to append to the upstream's base path (`/a/b?x=1`; `''` or `?x=1` for `/api` itself), or
 * throws BadPath. See the module comment for the exact rules.
 */
export function toUpstreamPath(rawUrl: string): string {
  const len = rawUrl.length;
  if (
    len < 4 ||
    rawUrl.charCodeAt(0) !== SLASH ||
    rawUrl.charCodeAt(1) !== 0x61 /* a */ ||
    rawUrl.charCodeAt(2) !== 0x70 /* p */ ||
    rawUrl.charCodeAt(3) !== 0x69 /* i */
  ) {
    bad('The path must start with /api/.');
  }
  if (len === 4) return '';
  const c4 = rawUrl.charCodeAt(4);
  if (c4 === QUESTION) return checkQuery(rawUrl, 5);
  if (c4 !== SLASH) bad('The path must start with /api/.');

  // Per segment, over its decoded text: dots, whether anything but dots and spaces was seen, and
  // whether a `;` (start of path parameters) was: the dot-segment test covers the part before it.
  let segStart = 5;
  let dots = 0;
  let other = 0;
  let inParams = false;
  let nonAscii = false;
  // UTF-8 decoder state for percent-encoded bytes.
  let need = 0;
  let lo = 0x80;
  let hi = 0xbf;
  let cp = 0;

  for (let i = 5; i <= len; i++) {
    const c = rawUrl.charCodeAt(i); // NaN at i === len: the end of the path
    const k = c < 128 ? CLASS[c]! : i === len ? K_QUERY : K_BAD;
    if (k === K_OTHER) {
      if (need !== 0) bad('Broken UTF-8 in the path.');
      other = 1;
      continue;
    }
    if (k === K_SLASH || k === K_QUERY) {
      if (need !== 0) bad('Broken UTF-8 in the path.');
      if (i === segStart && k === K_SLASH) bad('Empty path segment.');
      if (!inParams && other === 0 && dots !== 0) bad('Dot segment in the path.');
      if (nonAscii) checkNonAsciiSegment(rawUrl, segStart, i);
      if (k === K_QUERY) return i >= len - 1 ? rawUrl.slice(4) : checkQuery(rawUrl, i + 1);
      segStart = i + 1;
      dots = other = 0;
      inParams = nonAscii = false;
      continue;
    }
    let b: number;
    if (k === K_PCT) {
      const h1 = hexAt(rawUrl, i + 1);
      const h2 = hexAt(rawUrl, i + 2);
      if (h1 === 0 || h2 === 0) bad('Invalid percent-encoding in the path.');
      b = ((h1 - 1) << 4) | (h2 - 1);
      i += 2;
      if (need !== 0) {
        if (b < lo || b > hi) bad('Broken UTF-8 in the path.');
        lo = 0x80;
        hi = 0xbf;
        cp = (cp << 6) | (b & 0x3f);
        if (--need === 0) {
          if (cp < 0xa0) bad('Control character in the path.'); // C1 controls U+0080–U+009F
          nonAscii = true;
          other = 1;
        }
        continue;
      }
      if (b >= 0x80) {
        if (b >= 0xc2 && b <= 0xdf) {
          need = 1;
          cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          cp = b & 0x0f;
          if (b === 0xe0) lo = 0xa0; // no overlongs
          else if (b === 0xed) hi = 0x9f; // no surrogates
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          cp = b & 0x07;
          if (b === 0xf0) lo = 0x90; // no overlongs
          else if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
        } else {
          bad('Broken UTF-8 in the path.');
        }
        continue;
      }
      if (b < 0x20 || b === 0x7f) bad('Control character in the path.');
      if (b === SLASH || b === BACKSLASH) bad('Encoded slash or backslash in the path.');
      if (b === PERCENT) bad('Encoded percent sign in the path.');
    } else if (k === K_BAD) {
      bad('Character not allowed in the path.');
    } else {
      if (need !== 0) bad('Broken UTF-8 in the path.');
      b = c; // a raw `.` or `;`
    }
    if (b === DOT) dots++;
    else if (b === SEMICOLON) {
      if (!inParams && other === 0 && dots !== 0) bad('Dot segment in the path.');
      inParams = true;
    } else if (b !== SPACE) other = 1;
  }
  /* c8 ignore next */
  return bad('Unreachable.');
}

/** Rare path: a segment holding percent-encoded non-ASCII text; checks it after NFKC. */
function checkNonAsciiSegment(rawUrl: string, start: number, end: number): void {
  // Valid UTF-8 with no %25 and no encoded slash, so this cannot throw.
  const normalized = decodeURIComponent(rawUrl.slice(start, end)).normalize('NFKC');
  if (NORMALIZED_FORBIDDEN.test(normalized)) bad('Character not allowed in the path.');
  const semi = normalized.indexOf(';');
  if (ONLY_DOTS_AND_SPACES.test(semi === -1 ? normalized : normalized.slice(0, semi))) bad('Dot segment in the path.');
}

/**
 * The upstream request target: `/api` itself maps to the base path as configured; `/api/…` to the
 * base path without its trailing slash + `/…` (`/v1/` + `/a` → `/v1/a`, `/` + `/a` → `/a`).
 * `basePrefix` is `basePath` without its trailing slash (precomputed by the forwarder).
 */
export function joinUpstreamPath(basePath: string, upstreamPath: string, basePrefix = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath): string {
  return upstreamPath.length === 0 || upstreamPath.charCodeAt(0) === QUESTION ? basePath + upstreamPath : basePrefix + upstreamPath;
}

function checkQuery(rawUrl: string, from: number): string {
  for (let i = from; i < rawUrl.length; i++) {
    const c = rawUrl.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x23 /* # */) bad('Character not allowed in the query.');
  }
  return rawUrl.slice(4);
}

const REFUSED_METHODS: ReadonlySet<string> = new Set(['TRACE', 'TRACK', 'CONNECT']);
/** The `Allow` header of the relay's 405. */
export const RELAYABLE_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** Throws MethodNotAllowed (405) for methods that are never relayed: TRACE (and IIS's TRACK), CONNECT. */
export function assertRelayableMethod(method: string | undefined): void {
  // llhttp only yields upper-case methods; the second test is for other callers (node upper-cases outgoing methods).
  if (method === undefined || REFUSED_METHODS.has(method) || REFUSED_METHODS.has(method.toUpperCase())) throw new MethodNotAllowed(RELAYABLE_METHODS);
}
