import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendProblem } from '../../bff/http/problem.ts';
import { BffError, SessionExpired } from '../../bff/errors.ts';
import { loadConfig } from '../../bff/config.ts';
import { createLogger } from '../../bff/log.ts';
import { listen } from '../../bff/server.ts';
import { createMockIdp, DEFAULT_CLIENT } from '../support/idp/index.ts';
import { fetchFromHandlers } from '../support/provider-fetch.ts';
import { Browser, location } from '../support/browser.ts';
import { PUBLIC_ORIGIN, TEST_SECRET } from '../support/bff.ts';

// An unexpected error (a bug, a library's internal failure) becomes a bare 500 internal_error: its
// message (which may name a file, an address or a secret) never reaches the client.

const SECRET_MESSAGE = 'connect ECONNREFUSED 10.1.2.3:5432 password=hunter2 /srv/app/bff/session/store.ts';

/** Renders `err` with sendProblem on a real node:http response and returns what a client reads. */
async function rendered(err: unknown): Promise<{ status: number; type: string | null; text: string }> {
  const server = http.createServer((_req, res) => sendProblem(res, err));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('an unexpected 500', () => {
  const unexpected: [string, unknown][] = [
    ['an Error', new Error(SECRET_MESSAGE)],
    ['a TypeError', new TypeError(SECRET_MESSAGE)],
    ['a BffError with status 500 (not exposed by default)', new BffError(500, 'internal_error', SECRET_MESSAGE)],
    ['a thrown string', SECRET_MESSAGE],
    ['an object with a message and a 5xx status', { message: SECRET_MESSAGE, status: 502, expose: true }],
  ];
  for (const [what, err] of unexpected) {
    it(`carries no detail and not the error's message: ${what}`, async () => {
      const { status, type, text } = await rendered(err);
      expect(status).toBe(500);
      expect(type).toBe('application/problem+json');
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(body).toEqual({ title: 'Internal Server Error', status: 500, code: 'internal_error' });
      for (const part of ['ECONNREFUSED', '10.1.2.3', 'hunter2', 'store.ts']) expect(text).not.toContain(part);
    });
  }

  it('an exposed 4xx keeps its own words as detail (the rule is about what is not meant for clients)', async () => {
    const body = JSON.parse((await rendered(new SessionExpired())).text) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 401, code: 'session_expired', detail: new SessionExpired().message });
  });

  it('a failure inside a route of the real app is a bare 500 too', async () => {
    const idp = await createMockIdp();
    const config = loadConfig({
      HOST: '127.0.0.1', PORT: '0', BFF_PUBLIC_URL: PUBLIC_ORIGIN, OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: DEFAULT_CLIENT.client_id, OIDC_CLIENT_SECRET: DEFAULT_CLIENT.client_secret, SESSION_SECRET: TEST_SECRET,
    });
    const log = createLogger('silent');
    const info = log.info.bind(log);
    // The logger fails on the sign-in's success line: an error no code path expects.
    log.info = ((obj: unknown, ...rest: unknown[]) => {
      if ((obj as { event?: string })?.event === 'login') throw new Error(SECRET_MESSAGE);
      return info(obj as object, ...(rest as []));
    }) as typeof log.info;
    const provider = fetchFromHandlers(idp.handlers);
    const bff = await listen(config, { log, fetch: provider.fetch, staticDir: mkdtempSync(join(tmpdir(), 'bff-static-')) });
    try {
      const b = new Browser(bff.url);
      const authorize = await provider.request(location(await b.get('/auth/login')).href, { redirect: 'manual' });
      const callback = new URL(authorize.headers.get('location')!);
      const res = await b.get(callback.pathname + callback.search);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ title: 'Internal Server Error', status: 500, code: 'internal_error' });
      for (const part of ['ECONNREFUSED', 'hunter2', 'store.ts', 'at ']) expect(text).not.toContain(part);
    } finally {
      await bff.shutdown(100);
    }
  });
});
