import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/bff.ts';
import { createMockIdp, DEFAULT_CLIENT } from '../support/idp/index.ts';
import { authorizeAnswering, editedDiscovery, page, startBffFacing, WRONG_SECRET } from './diagnostics-support.ts';

// Provider mistakes an operator makes on day one, each diagnosed where they look: the start-up
// log, /readyz, and the sign-in error page, naming the cause and the fix, never a secret.

type Bff = Awaited<ReturnType<typeof startBffFacing>>;
let bff: Bff | undefined;
afterEach(async () => {
  await bff?.close();
  bff = undefined;
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** The start-up log line, /readyz, and the sign-in page, for a provider whose discovery fails. */
async function discoveryFailure(b: Bff) {
  const logged = await b.waitForLog('provider_not_ready');
  const readyz = await fetch(`${b.url}/readyz`);
  const body = (await readyz.json()) as Record<string, string>;
  expect(readyz.status).toBe(503);
  expect(readyz.headers.get('content-type')).toBe('application/problem+json');
  expect(body).toMatchObject({ code: 'not_ready', provider: 'default', reason: logged.reason });
  const signIn = page(await b.signIn());
  expect(signIn).toMatchObject({ path: '/login-error', error: 'provider_unavailable' });
  for (const text of [JSON.stringify(body), b.logs(), JSON.stringify(signIn)]) {
    expect(text).not.toContain(DEFAULT_CLIENT.client_secret);
    expect(text).not.toContain(TEST_SECRET);
  }
  return { logged: logged as Record<string, string>, detail: body.detail!, signIn };
}

describe('discovery problems at start-up, on /readyz and at sign-in', () => {
  it('connection refused: names the host and says to check OIDC_ISSUER and that the provider runs', async () => {
    const port = await closedPort();
    bff = await startBffFacing({ issuer: `http://127.0.0.1:${port}`, realNetwork: true });
    const { logged, detail, signIn } = await discoveryFailure(bff);
    expect(logged.reason).toBe('discovery_unreachable');
    expect(logged.cause).toContain(`127.0.0.1:${port} (connection refused)`);
    expect(logged.fix).toMatch(/OIDC_ISSUER.*provider is running/);
    expect(detail).toContain('Provider "default" is not ready');
    expect(detail).toContain('connection refused');
    expect(signIn.description).toContain('connection refused');
    expect(signIn.hint).toContain('OIDC_ISSUER');
  });

  it('DNS: names the host that does not resolve', async () => {
    bff = await startBffFacing({ issuer: 'https://no-such-idp.invalid', realNetwork: true });
    const { logged, signIn } = await discoveryFailure(bff);
    expect(logged.reason).toBe('discovery_dns');
    expect(logged.cause).toContain('no-such-idp.invalid');
    expect(logged.fix).toMatch(/host name in OIDC_ISSUER/);
    expect(signIn.description).toContain('could not be resolved');
  });

  it('TLS: an untrusted certificate is named as such, with NODE_EXTRA_CA_CERTS as the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diag-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
    rmSync(dir, { recursive: true });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    try {
      bff = await startBffFacing({ issuer: `https://127.0.0.1:${(tls.address() as { port: number }).port}`, realNetwork: true });
      const { logged, signIn } = await discoveryFailure(bff);
      expect(logged.reason).toBe('discovery_tls');
      expect(logged.cause).toMatch(/TLS connection to 127\.0\.0\.1:\d+ failed: .*self.signed/i);
      expect(logged.fix).toContain('NODE_EXTRA_CA_CERTS');
      expect(signIn.hint).toContain('NODE_EXTRA_CA_CERTS');
    } finally {
      await bff?.close();
      bff = undefined;
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });

  it('404 at the well-known URL: shows that URL and says what an issuer looks like', async () => {
    const idp = await createMockIdp({ issuer: 'https://idp.example.test/auth' });
    bff = await startBffFacing({ issuer: idp.issuer, handlers: [http.get(`${idp.issuer}/.well-known/openid-configuration`, () => new HttpResponse('Not Found', { status: 404 }))] });
    const { logged, detail, signIn } = await discoveryFailure(bff);
    expect(logged.reason).toBe('discovery_not_found');
    expect(logged.cause).toContain('https://idp.example.test/auth/.well-known/openid-configuration answered 404');
    expect(logged.fix).toContain('/realms/<realm>');
    expect(detail).toContain('404');
    expect(signIn.description).toContain('answered 404');
  });

  it('issuer mismatch: shows both values and which one to set', async () => {
    const idp = await createMockIdp();
    const theirs = 'https://login.example.test/tenant-1';
    bff = await startBffFacing({ issuer: idp.issuer, idp, handlers: [editedDiscovery(idp, (doc) => ({ ...doc, issuer: theirs }))] });
    const { logged, detail, signIn } = await discoveryFailure(bff);
    expect(logged.reason).toBe('issuer_mismatch');
    expect(logged.cause).toContain(`names the issuer ${theirs}, but OIDC_ISSUER is ${idp.issuer}/`);
    expect(logged.fix).toContain(`Set OIDC_ISSUER to exactly ${theirs}`);
    expect(detail).toContain(theirs);
    expect(signIn.description).toContain(`names the issuer ${theirs}`);
    expect(signIn.hint).toContain('OIDC_ISSUER');
  });

  it('once the provider is fixed, /readyz turns 200 and says nothing more', async () => {
    const idp = await createMockIdp();
    idp.faults.discovery = 'server_error';
    bff = await startBffFacing({ issuer: idp.issuer, idp });
    expect((await bff.waitForLog('provider_not_ready')).cause).toContain('answered HTTP 500');
    idp.faults.discovery = undefined;
    const ready = await fetch(`${bff.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(await bff.waitForLog('provider_ready')).toMatchObject({ provider: 'default', issuer: `${idp.issuer}/` });
  });
});

describe('what the metadata says the provider cannot do (start-up warnings)', () => {
  it('no PKCE S256 and unsupported scopes are logged with the fix', async () => {
    const idp = await createMockIdp();
    bff = await startBffFacing({
      issuer: idp.issuer,
      idp,
      handlers: [editedDiscovery(idp, (doc) => ({ ...doc, code_challenge_methods_supported: ['plain'], scopes_supported: ['openid', 'profile', 'email'] }))],
    });
    await bff.waitForLog('provider_ready');
    const warnings = bff.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>).filter((l) => l.event === 'provider_warning');
    expect(warnings.map((w) => w.reason).sort()).toEqual(['pkce_unsupported', 'scope_unsupported']);
    expect(warnings.find((w) => w.reason === 'pkce_unsupported')!.fix).toContain('S256');
    expect(warnings.find((w) => w.reason === 'scope_unsupported')!.cause).toContain('offline_access');
    expect(warnings.find((w) => w.reason === 'scope_unsupported')!.fix).toContain('OIDC_SCOPES');
  });
});

describe('provider errors at sign-in, on the sign-in error page and in the log', () => {
  it('invalid_client (wrong secret): says to check OIDC_CLIENT_SECRET and OIDC_CLIENT_AUTH, never shows the secret', async () => {
    const idp = await createMockIdp();
    bff = await startBffFacing({ issuer: idp.issuer, idp, env: { OIDC_CLIENT_SECRET: WRONG_SECRET } });
    const p = page(await bff.signIn());
    expect(p).toMatchObject({ path: '/login-error', error: 'invalid_client' });
    expect(p.description).toContain(`client ${DEFAULT_CLIENT.client_id}, client_secret_basic`);
    expect(p.hint).toContain('OIDC_CLIENT_SECRET');
    expect(p.hint).toContain('OIDC_CLIENT_AUTH');
    expect(p.hint).toContain('client_secret_post');
    const logged = await bff.waitForLog('login_failed');
    expect(logged).toMatchObject({ reason: 'invalid_client', error: 'invalid_client' });
    expect(JSON.stringify(p) + bff.logs()).not.toContain(WRONG_SECRET);
  });

  it('redirect URI not registered: the provider\'s words and the exact callback URL to register', async () => {
    const idp = await createMockIdp();
    bff = await startBffFacing({ issuer: idp.issuer, idp, handlers: [authorizeAnswering(idp, 'invalid_request', 'redirect_uri is not registered for this client')] });
    const p = page(await bff.signIn());
    expect(p.error).toBe('invalid_request');
    expect(p.description).toContain('redirect_uri is not registered for this client');
    expect(p.hint).toContain('Register exactly http://localhost:3000/auth/callback as a redirect (callback) URI of client bff');
    expect((await bff.waitForLog('login_failed')).reason).toBe('redirect_uri_not_registered');
  });

  it('redirect URI refused at the token endpoint (invalid_request, not a rejected code)', async () => {
    const idp = await createMockIdp();
    bff = await startBffFacing({ issuer: idp.issuer, idp, handlers: [http.post(`${idp.issuer}/token`, () => HttpResponse.json({ error: 'invalid_request', error_description: 'redirect_uri mismatch' }, { status: 400 }))] });
    const p = page(await bff.signIn());
    expect(p.hint).toContain('Register exactly http://localhost:3000/auth/callback');
  });

  it('PKCE not supported: says to enable S256', async () => {
    const idp = await createMockIdp();
    bff = await startBffFacing({ issuer: idp.issuer, idp, handlers: [authorizeAnswering(idp, 'invalid_request', 'code_challenge_method S256 is not supported')] });
    const p = page(await bff.signIn());
    expect(p.description).toContain('refused PKCE');
    expect(p.hint).toContain('Enable PKCE with S256');
  });

  it('scope not supported: names OIDC_SCOPES', async () => {
    const idp = await createMockIdp();
    bff = await startBffFacing({ issuer: idp.issuer, idp, handlers: [authorizeAnswering(idp, 'invalid_scope', 'offline_access is not allowed')] });
    const p = page(await bff.signIn());
    expect(p.error).toBe('invalid_scope');
    expect(p.description).toContain('openid profile email offline_access');
    expect(p.description).toContain('offline_access is not allowed');
    expect(p.hint).toContain('OIDC_SCOPES');
  });

  it('a user who cancels (access_denied) gets the provider\'s words and no configuration hint', async () => {
    const idp = await createMockIdp();
    bff = await startBffFacing({ issuer: idp.issuer, idp, handlers: [authorizeAnswering(idp, 'access_denied', 'The user cancelled')] });
    const p = page(await bff.signIn());
    expect(p).toMatchObject({ error: 'access_denied', description: 'The user cancelled', hint: '' });
  });
});
