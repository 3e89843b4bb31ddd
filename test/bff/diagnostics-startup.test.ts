import { builtEntry } from '../support/built.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startChild, type DevProcess } from '../dev/dev-process.ts';

// The standalone BFF started as an operator starts it (node dist/bff/main.js in its own process), against an
// issuer nobody listens on. It used to print only `listening`, even at debug; now the banner says
// what to register, and the log says why the provider is not ready and what to do.

const CLIENT_SECRET = 'startup-client-secret-0123456789abcdef';
const SESSION_SECRET = 'startup-session-secret-0123456789-abcdefghij';

let cwd: string;
const children: DevProcess[] = [];
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'bff-startup-')); // no .env here
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await rm(cwd, { recursive: true, force: true });
}, 60_000);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function startBff(format: 'pretty' | 'json') {
  const [port] = await freePorts(1);
  const issuerPort = await closedPort();
  const child = startChild(process.execPath, [builtEntry('bff/main.js')], cwd, {
    PORT: String(port!),
    OIDC_ISSUER: `http://127.0.0.1:${issuerPort}`,
    OIDC_CLIENT_ID: 'startup-app',
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    SESSION_SECRET,
    API_UPSTREAM_URL: 'http://127.0.0.1:9/v1',
    LOG_FORMAT: format,
    LOG_LEVEL: 'info',
  });
  children.push(child);
  return { child, port: port!, issuerPort };
}

describe('bff/main.ts at start-up', () => {
  it('pretty: prints the banner, then why discovery failed and the fix; no secret', async () => {
    const { child, port, issuerPort } = await startBff('pretty');
    await child.waitForOutput(/fix: /, 60_000);
    const out = child.output();
    expect(out).toContain(`BFF ready: http://localhost:${port}`);
    expect(out).toContain(`redirect (callback) URI   http://localhost:${port}/auth/callback`);
    expect(out).toContain(`post-logout redirect URI  http://localhost:${port}/`);
    expect(out).toContain(`Provider "default"  http://127.0.0.1:${issuerPort}/  client startup-app`);
    expect(out).toContain('API route  /api/*  ->  http://127.0.0.1:9/v1');
    expect(out).toMatch(/WARN {2}provider_not_ready .*\n {4}cause: Nothing accepts connections at 127\.0\.0\.1:\d+ \(connection refused\)/);
    expect(out).toMatch(/fix: {3}Check the host and port in OIDC_ISSUER/);
    expect(out).not.toContain(CLIENT_SECRET);
    expect(out).not.toContain(SESSION_SECRET);
  }, 90_000);

  it('json: one listening line with the same facts, and a provider_not_ready line with reason, cause and fix', async () => {
    const { child, port } = await startBff('json');
    await child.waitForOutput(/"provider_not_ready"/, 60_000);
    const lines = child.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === 'listening')).toMatchObject({ app: `http://localhost:${port}`, callbackUrl: `http://localhost:${port}/auth/callback`, providers: [{ name: 'default', clientId: 'startup-app' }] });
    expect(lines.find((l) => l.event === 'provider_not_ready')).toMatchObject({ provider: 'default', reason: 'discovery_unreachable', level: 40 });
    expect(child.output()).not.toContain(CLIENT_SECRET);
    expect(child.output()).not.toContain(SESSION_SECRET);
  }, 90_000);
});
