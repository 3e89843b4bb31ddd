import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/**
 * `npm run demo:cli`: a command-line tool that signs in with the device flow (RFC 8628) through the
 * BFF and calls an API route with its own bearer token, the way a script or CLI of yours would.
 * The BFF holds the client secret; the tool only ever sees its user's tokens (and prints none).
 *
 *   npm start                      # in another terminal: the embedded default, device flow on
 *   npm run demo:cli               # GET /api/notes as you
 *   npm run demo:cli -- /api/reports --bff http://localhost:3000
 */

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

export interface CliOptions {
  /** The BFF's origin, e.g. http://localhost:3000. */
  bff: string;
  /** The API route to call, e.g. /api/notes. */
  path: string;
  print: (line: string) => void;
  /** Called once the code is shown (a test plays the user here). */
  onCode?: (device: DeviceAuthorization) => Promise<void>;
  /** How to wait between polls; injected so a test does not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function postForm(url: string, form: Record<string, string>): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Starts the device authorization, shows the code, and polls `/auth/token` until the user decides. @see RFC 8628 §3.4, §3.5 */
export async function signInWithDevice(options: CliOptions): Promise<{ access_token: string; expires_in?: number }> {
  const sleep = options.sleep ?? wait;
  const started = await postForm(`${options.bff}/auth/device`, {});
  if (started.status !== 200) throw new Error(`the BFF refused to start a device sign-in: ${started.status} ${String(started.body.error ?? '')}`);
  const device = started.body as unknown as DeviceAuthorization;
  options.print(`To sign in, open  ${device.verification_uri_complete ?? device.verification_uri}`);
  options.print(`  (or go to ${device.verification_uri} and enter the code  ${device.user_code})`);
  await options.onCode?.(device);

  let intervalS = device.interval ?? 5;
  const deadline = Date.now() + device.expires_in * 1000;
  for (;;) {
    const polled = await postForm(`${options.bff}/auth/token`, { grant_type: DEVICE_CODE_GRANT, device_code: device.device_code });
    if (polled.status === 200 && typeof polled.body.access_token === 'string') return polled.body as { access_token: string; expires_in?: number };
    const error = String(polled.body.error ?? polled.status);
    if (error === 'slow_down') intervalS = Math.max(intervalS + 5, Number(polled.headers.get('retry-after') ?? 0));
    else if (error !== 'authorization_pending') throw new Error(`sign-in ended: ${error}`);
    if (Date.now() + intervalS * 1000 > deadline) throw new Error('sign-in ended: the code expired');
    await sleep(intervalS * 1000);
  }
}

/** Signs in, then calls `options.path` with the token; resolves with the API's answer. */
export async function runCli(options: CliOptions): Promise<{ status: number; body: unknown }> {
  const tokens = await signInWithDevice(options);
  options.print(`Signed in (the access token is valid for ${tokens.expires_in ?? '?'} s). GET ${options.path}`);
  const res = await fetch(`${options.bff}${options.path}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: shown as it came
  }
  options.print(`${res.status} ${typeof body === 'string' ? body : JSON.stringify(body, null, 2)}`);
  return { status: res.status, body };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { bff: { type: 'string', default: 'http://localhost:3000' } } });
  runCli({ bff: values.bff.replace(/\/$/, ''), path: positionals[0] ?? '/api/notes', print: (line) => console.log(line) }).then(
    ({ status }) => process.exit(status < 400 ? 0 : 1),
    (err: unknown) => {
      // fetch reports an unreachable host as a TypeError: say what to do about it.
      console.error(err instanceof TypeError ? `Cannot reach the BFF at ${values.bff}: is \`npm start\` running?` : err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
