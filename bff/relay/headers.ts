import { UnsupportedTransferCoding } from '../errors.ts';
import {
  CONNECTION,
  CONTENT_LENGTH,
  connectionTokens,
  DROP,
  HOP_BY_HOP,
  lookup,
  METHOD_OVERRIDE,
  nameIndex,
  PASS,
  removeNamed,
  TRANSFER_ENCODING,
} from './header-names.ts';

export { HOP_BY_HOP };

/**
 * The relay's header policy: pure functions from a message's `rawHeaders` (name, value, name,
 * value…; names in the sender's casing, duplicates kept) to the flat header array that
 * `http.request({ headers })` / `res.writeHead(status, headers)` take as is. Every table is built
 * once at module load; the per-header work allocates nothing but the output array.
 */

const X_FORWARDED = 'x-forwarded-';
/** `x-forwarded-*`, any case. */
function isXForwarded(name: string): boolean {
  if (name.length <= 12 || (name.charCodeAt(0) | 0x20) !== 0x78 /* x */ || name.charCodeAt(1) !== 0x2d /* - */) return false;
  for (let i = 2; i < 12; i++) if ((name.charCodeAt(i) | 0x20) !== X_FORWARDED.charCodeAt(i)) return false;
  return true;
}

const REQUEST_ACTIONS = new Map<string, number>();
for (const name of HOP_BY_HOP) REQUEST_ACTIONS.set(name, DROP);
for (const name of [
  // Set by the relay, never taken from the client.
  'host',
  'authorization',
  'forwarded',
  // Browser credentials and the BFF's own anti-forgery header stay at the BFF.
  'cookie',
  'x-csrf',
  // Client-IP claims a server might trust like X-Forwarded-For (all `x-forwarded-*` are dropped too).
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
  // Path overrides (IIS, Symfony, Zend…) that would let a client leave the base path.
  'x-original-url',
  'x-rewrite-url',
  // The BFF's server already answered any `Expect: 100-continue`; the body is streamed anyway.
  'expect',
]) {
  REQUEST_ACTIONS.set(name, DROP);
}
REQUEST_ACTIONS.set('connection', CONNECTION);
REQUEST_ACTIONS.set('content-length', CONTENT_LENGTH);
REQUEST_ACTIONS.set('transfer-encoding', TRANSFER_ENCODING);
REQUEST_ACTIONS.set('x-http-method-override', METHOD_OVERRIDE);
REQUEST_ACTIONS.set('x-http-method', METHOD_OVERRIDE);
REQUEST_ACTIONS.set('x-method-override', METHOD_OVERRIDE);
const REQUEST_INDEX = nameIndex(REQUEST_ACTIONS);

/** Method overrides that would smuggle a refused method (TRACE would echo the bearer token to the page). */
const REFUSED_OVERRIDES: ReadonlySet<string> = new Set(['TRACE', 'TRACK', 'CONNECT']);

/** Methods for which a request without Content-Length or Transfer-Encoding has no body (node's own rule). */
const BODYLESS_BY_DEFAULT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** Response headers never relayed to the browser: hop-by-hop, Set-Cookie (+ those named in Connection). */
const RESPONSE_ACTIONS = new Map<string, number>([...HOP_BY_HOP].map((name) => [name, DROP] as const));
RESPONSE_ACTIONS.set('set-cookie', DROP);
RESPONSE_ACTIONS.set('set-cookie2', DROP);
RESPONSE_ACTIONS.set('connection', CONNECTION);
const RESPONSE_INDEX = nameIndex(RESPONSE_ACTIONS);

/** Fixed per-forwarder values of the request policy. */
export interface RequestHeaderContext {
  /** `Host` sent upstream: the upstream URL's host (with its port when not the default). */
  upstreamHost: string;
  /** `X-Forwarded-Proto`: the public URL's protocol without `:`. */
  forwardedProto: string;
  /** `X-Forwarded-Host`: the public URL's host. */
  forwardedHost: string;
  /** A route's static headers, flat `[name, value, …]`; they replace any same-named header the client sent. */
  staticHeaders?: readonly string[];
  /** Their names, lower-cased. */
  staticNames?: ReadonlySet<string>;
}

export interface UpstreamRequestHeaders {
  /** Flat `[name, value, …]` list for `http.request({ headers })`. */
  headers: string[];
  /** Whether the request carries a body that must be streamed (Content-Length > 0 or chunked). */
  hasBody: boolean;
}

/**
 * Request policy. Drops the client's Host, Authorization, Cookie, X-CSRF, Forwarded,
 * X-Forwarded-*, client-IP claims, path overrides, Expect, hop-by-hop headers and every header
 * named in Connection; sets Host, X-Forwarded-For/Proto/Host, the route's static headers (replacing
 * the client's of the same name) and `Authorization: Bearer <token>` when there is a token;
 * keeps the body framing right (Content-Length passed on; a chunked body is re-chunked; a body-less
 * POST/PUT/PATCH… gets `content-length: 0` instead of node's default empty chunked body).
 * Throws UnsupportedTransferCoding for any Transfer-Encoding other than plain `chunked`.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  method: string,
  remoteAddress: string | undefined,
  accessToken: string | undefined,
  ctx: RequestHeaderContext,
): UpstreamRequestHeaders {
  const staticNames = ctx.staticNames;
  const out: string[] = ['host', ctx.upstreamHost];
  let named: string[] | undefined;
  let contentLength: string | undefined;
  let chunked = false;
  const n = rawHeaders.length;
  for (let i = 0; i < n; i += 2) {
    const name = rawHeaders[i]!;
    const action = lookup(REQUEST_INDEX, name);
    if (action === PASS) {
      if (!isXForwarded(name) && (staticNames === undefined || !staticNames.has(name.toLowerCase()))) out.push(name, rawHeaders[i + 1]!);
      continue;
    }
    switch (action) {
      case CONNECTION:
        named = connectionTokens(rawHeaders[i + 1]!, named);
        break;
      case CONTENT_LENGTH:
        contentLength ??= rawHeaders[i + 1]!;
        break;
      case TRANSFER_ENCODING:
        // node de-chunks the body but leaves any other coding in it: relaying that as plain
        // chunked would hand the API gzip bytes it was never told about (RFC 9112 §6.1: 501).
        if (!isPlainChunked(rawHeaders[i + 1]!)) throw new UnsupportedTransferCoding();
        chunked = true;
        break;
      case METHOD_OVERRIDE: {
        const value = rawHeaders[i + 1]!;
        if (!REFUSED_OVERRIDES.has(value.trim().toUpperCase())) out.push(name, value);
        break;
      }
      default: // DROP
    }
  }
  if (named !== undefined) removeNamed(out, 2, named);

  let hasBody = false;
  if (chunked) {
    // node's server has de-chunked the body; re-chunk it (never close-delimited, never smuggled).
    out.push('transfer-encoding', 'chunked');
    hasBody = true;
  } else if (contentLength !== undefined) {
    out.push('content-length', contentLength);
    hasBody = contentLength !== '0';
  } else if (!BODYLESS_BY_DEFAULT.has(method)) {
    out.push('content-length', '0');
  }
  if (remoteAddress !== undefined) out.push('x-forwarded-for', remoteAddress);
  out.push('x-forwarded-proto', ctx.forwardedProto, 'x-forwarded-host', ctx.forwardedHost);
  if (ctx.staticHeaders !== undefined) out.push(...ctx.staticHeaders);
  if (accessToken !== undefined) out.push('authorization', 'Bearer ' + accessToken);
  return { headers: out, hasBody };
}

function isPlainChunked(value: string): boolean {
  return value.trim().toLowerCase() === 'chunked';
}

/**
 * Response policy: everything (status is the caller's business) except Set-Cookie, hop-by-hop
 * headers and those named in Connection. Transfer-Encoding is dropped: node re-frames the body.
 */
export function downstreamResponseHeaders(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  let named: string[] | undefined;
  const n = rawHeaders.length;
  for (let i = 0; i < n; i += 2) {
    const name = rawHeaders[i]!;
    const action = lookup(RESPONSE_INDEX, name);
    if (action === PASS) out.push(name, rawHeaders[i + 1]!);
    else if (action === CONNECTION) named = connectionTokens(rawHeaders[i + 1]!, named);
  }
  if (named !== undefined) removeNamed(out, 0, named);
  return out;
}
