import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendJson } from './http.ts';
import type { Caller } from './verify.ts';

// The routes the embedded default uses to show the BFF's routes table: each answer says who the
// API saw, so the SPA can show which token (if any) the BFF put on the call.
//   GET /catalog           any valid token (the BFF calls it with its own client-credentials token)
//   GET /reports           any valid token (the BFF lets editors through only)
//   GET /audit             any valid token (the BFF asks for a security-key sign-in first: step-up)
//   GET /public[/…]        no token needed; says whether an Authorization header arrived (it must not)
//   GET /partner[/…]       the static subscription key header required; a token optional

export const SUBSCRIPTION_KEY_HEADER = 'x-demo-subscription-key';
/** Who the API saw when no token came. */
export const ANONYMOUS = 'anonymous';
/** Every answer names its caller here too, so a screen can show it whatever the body's shape. */
export const CALLER_HEADER = 'x-demo-caller';

const CATALOG = [
  { sku: 'tea-01', name: 'Green tea', price: 4.5 },
  { sku: 'mug-02', name: 'Blue mug', price: 9 },
  { sku: 'pot-03', name: 'Teapot', price: 24 },
];

const REPORT = { title: 'Quarterly notes report', notes: 2, editors: 1 };
const AUDIT = { title: 'Audit log', entries: [{ at: '2026-11-02T09:14:00Z', event: 'note deleted', by: 'alice' }] };

export type Authenticate = (req: IncomingMessage) => Promise<Caller>;

export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function sendAs(res: ServerResponse, caller: string, status: number, body: Record<string, unknown>): void {
  sendJson(res, status, { caller, ...body }, { [CALLER_HEADER]: caller });
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time on the digests, so neither the key nor its length leaks through timing. */
function keyMatches(sent: string | string[] | undefined, expected: string | undefined): boolean {
  if (typeof sent !== 'string' || !expected) return false;
  return timingSafeEqual(digest(sent), digest(expected));
}

function onlyGet(req: IncomingMessage): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', undefined, { allow: 'GET, HEAD' });
}

/** Answers the showcase routes; false when `path` is none of them. */
export async function routeShowcase(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  opts: { authenticate: Authenticate; subscriptionKey: string | undefined },
): Promise<boolean> {
  if (isUnder(path, '/public')) {
    onlyGet(req);
    const arrived = req.headers.authorization !== undefined;
    sendAs(res, ANONYMOUS, 200, { authorizationReceived: arrived, message: arrived ? 'An Authorization header arrived, and it should not have.' : 'No token arrived, as it should be.' });
    return true;
  }
  if (isUnder(path, '/partner')) {
    // Checked before the token: a gateway refuses a call without its key whoever makes it.
    if (!keyMatches(req.headers[SUBSCRIPTION_KEY_HEADER], opts.subscriptionKey)) {
      throw new HttpError(401, 'invalid_subscription_key', `a valid ${SUBSCRIPTION_KEY_HEADER} header is required`);
    }
    onlyGet(req);
    const caller = req.headers.authorization === undefined ? ANONYMOUS : (await opts.authenticate(req)).name;
    sendAs(res, caller, 200, { partner: 'Demo Partner Ltd', subscriptionKey: 'accepted' });
    return true;
  }
  if (path === '/catalog' || path === '/reports' || path === '/audit') {
    const caller = await opts.authenticate(req);
    onlyGet(req);
    sendAs(res, caller.name, 200, path === '/catalog' ? { items: CATALOG } : path === '/reports' ? { report: REPORT } : { audit: AUDIT });
    return true;
  }
  return false;
}
