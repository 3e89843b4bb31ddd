import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MINIMAL_ENV, problemsOf } from '../support/config.ts';
import { loadConfig } from '../../bff/config.ts';
import { providerConfigured } from '../../bff/options/file.ts';
import type { FileInput } from '../../bff/options/file-schema.ts';

const SECRET = 'x'.repeat(32);
const oidcEnv = MINIMAL_ENV;
const partner = { issuer: 'https://idp.partner.example', clientId: 'app', clientSecret: '${PARTNER_SECRET}', label: 'Partner' };

function withFile(content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bff-layers-'));
  writeFileSync(path.join(dir, 'bff.config.json'), JSON.stringify(content));
  return dir;
}


describe('options: the environment and the file as layers of one schema', () => {
  it('takes providers and routes from the file beside the OIDC_* provider and the API_UPSTREAM_URL route', () => {
    const cwd = withFile({ providers: { partner }, apis: [{ path: '/api/notes', upstream: 'http://notes.internal:8080/v1', timeoutMs: 5000 }] });
    const c = loadConfig({ ...oidcEnv, PARTNER_SECRET: 'p-secret', API_UPSTREAM_URL: 'http://legacy.internal', API_UPSTREAM_TIMEOUT_MS: '7000' }, { cwd });
    expect(Object.keys(c.providers).sort()).toEqual(['default', 'partner']);
    expect(c.providers.partner).toMatchObject({ clientSecret: 'p-secret', label: 'Partner', clientAuth: 'client_secret_basic' });
    expect(c.oidc.name).toBe('default');
    expect(c.routes.map((r) => [r.path, r.upstream.href, r.token, r.timeoutMs])).toEqual([
      ['/api/notes', 'http://notes.internal:8080/v1', 'user', 5000],
      ['/api', 'http://legacy.internal/', 'user', 7000],
    ]);
    expect(c.api.upstreamUrl?.href).toBe('http://legacy.internal/');
  });

  it('runs on the file alone: providers there make OIDC_* unnecessary', () => {
    const cwd = withFile({ providers: { partner } });
    const c = loadConfig({ SESSION_SECRET: SECRET, PARTNER_SECRET: 'p' }, { cwd });
    expect(c.oidc.name).toBe('partner');
    expect(c.routes).toEqual([]);
  });

  it('refuses the same provider or route defined in both places, saying so', () => {
    const cwd = withFile({ providers: { default: partner }, apis: [{ path: '/API', upstream: 'http://x' }] });
    const problems = problemsOf({ ...oidcEnv, PARTNER_SECRET: 'p', API_UPSTREAM_URL: 'http://y' }, { cwd });
    expect(problems).toContainEqual(expect.stringMatching(/^OIDC_ISSUER: the provider "default" is defined both by OIDC_\* and in bff\.config\.json/));
    expect(problems).toContainEqual(expect.stringMatching(/^API_UPSTREAM_URL: the route \/api is defined both by API_UPSTREAM_URL and in bff\.config\.json/));
  });

  it('names problems by variable where the environment set them and by JSON path where the file did, in one error', () => {
    const cwd = withFile({ providers: { partner: { ...partner, issuer: 'http://idp.partner.example' } }, apis: [{ path: '/api/x', upstream: 'http://x', token: 'bogus' }] });
    const problems = problemsOf({ OIDC_ISSUER: 'https://idp', SESSION_IDLE_TIMEOUT_S: '99999', API_UPSTREAM_URL: 'ftp://nope' }, { cwd });
    for (const expected of [
      /^OIDC_CLIENT_ID: is required$/,
      /^OIDC_CLIENT_SECRET: is required$/,
      /^SESSION_SECRET: is required/,
      /^providers\.partner\.clientSecret: the environment variable PARTNER_SECRET is not set$/,
      /^providers\.partner\.issuer: must be https unless it is on loopback/,
      /^apis\[0\]\.token: /,
      /^API_UPSTREAM_URL: must be an http\(s\) URL$/,
    ]) {
      expect(problems.some((p) => expected.test(p)), `${expected} in\n${problems.join('\n')}`).toBe(true);
    }
    expect(new Set(problems).size).toBe(problems.length);
  });

  it('asks for a provider somewhere when there is none, naming the quickest fix', () => {
    expect(problemsOf({ SESSION_SECRET: SECRET })).toEqual([expect.stringMatching(/^OIDC_ISSUER: is required, or providers in the config file/)]);
  });

  it('reports the idle > absolute rule by variable, and allows them equal', () => {
    expect(problemsOf({ ...oidcEnv, SESSION_IDLE_TIMEOUT_S: '601', SESSION_ABSOLUTE_TIMEOUT_S: '600' })).toEqual([
      'SESSION_IDLE_TIMEOUT_S: must not exceed SESSION_ABSOLUTE_TIMEOUT_S',
    ]);
    expect(loadConfig({ ...oidcEnv, SESSION_IDLE_TIMEOUT_S: '600', SESSION_ABSOLUTE_TIMEOUT_S: '600' }).session.idleTimeoutS).toBe(600);
  });

  it('reads the file only where asked: BFF_CONFIG, or a working directory given by the server', () => {
    const cwd = withFile({ apis: [{ path: '/api/notes', upstream: 'http://notes' }] });
    expect(loadConfig(oidcEnv).routes).toEqual([]);
    expect(loadConfig({ ...oidcEnv, BFF_CONFIG: path.join(cwd, 'bff.config.json') }).routes).toHaveLength(1);
    expect(loadConfig(oidcEnv, { cwd }).routes).toHaveLength(1);
  });
});

describe('bff.config.example.json', () => {
  it('is a valid configuration file as shipped (with its ${NAME} variables set)', () => {
    const example = fileURLToPath(new URL('../../bff.config.example.json', import.meta.url));
    const c = loadConfig(
      { SESSION_SECRET: SECRET, OIDC_CLIENT_SECRET: 'a', PARTNER_SECRET: 'b', NOTES_SUBSCRIPTION_KEY: 'c', BFF_CONFIG: example },
      {},
    );
    expect(Object.keys(c.providers)).toEqual(['default', 'partner']);
    expect(c.routes.map((r) => `${r.path} ${r.token}`)).toEqual(['/api/notes user', '/api/catalog client', '/api/feed user-optional', '/api/weather none']);
    expect(c.routes[0]?.headers).toEqual({ 'Ocp-Apim-Subscription-Key': 'c' });
  });
});

describe('upstream URLs', () => {
  it('refuse credentials, a query or a fragment (the relay has nowhere to put them, and logs would show them)', () => {
    for (const url of ['https://svc:pw@api.example.com/v1', 'https://api.example.com/v1?key=k', 'https://api.example.com/v1#x']) {
      expect(problemsOf({ ...oidcEnv, API_UPSTREAM_URL: url })).toEqual(['API_UPSTREAM_URL: must have no credentials, query or fragment']);
    }
  });
});

describe('whether a provider is configured (the embedded default starts only when none is)', () => {
  it('is true with OIDC_ISSUER, with providers in the file, and with a broken file; false otherwise', () => {
    expect(providerConfigured({}, withFile({ apis: [{ path: '/api/x', upstream: 'http://x' }] }))).toBe(false);
    expect(providerConfigured({}, mkdtempSync(path.join(tmpdir(), 'bff-none-')))).toBe(false);
    expect(providerConfigured({ OIDC_ISSUER: 'https://idp' }, mkdtempSync(path.join(tmpdir(), 'bff-none-')))).toBe(true);
    expect(providerConfigured({ PARTNER_SECRET: 's' }, withFile({ providers: { partner } }))).toBe(true);
    expect(providerConfigured({}, withFile({ providers: { partner } }))).toBe(true); // ${PARTNER_SECRET} unset: start-up must say so
  });
});

describe("the README's routes table example", () => {
  it('is a valid configuration file', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## The routes table'));
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(json).toBeDefined();
    const c = loadConfig({ SESSION_SECRET: SECRET, OIDC_CLIENT_SECRET: 'a', NOTES_SUBSCRIPTION_KEY: 'k' }, { file: JSON.parse(json!) as FileInput });
    expect(c.routes.map((r) => r.token)).toEqual(['user', 'client', 'user-optional', 'none']);
  });
});

describe('limits that used to be constants', () => {
  it('have their defaults (the session cache now bounded by bytes: 256 MB, and 100,000 entries) and are set by their variables', () => {
    const d = loadConfig(oidcEnv);
    expect([d.session.refreshGraceS, d.session.cacheEntries, d.session.cacheBytes, d.providerTimeoutMs, d.api.upstreamMaxSockets]).toEqual([60, 100_000, 256 * 1024 * 1024, 10_000, 256]);
    const c = loadConfig({ ...oidcEnv, TOKEN_REFRESH_GRACE_S: '120', SESSION_CACHE_ENTRIES: '500', SESSION_CACHE_MB: '8', PROVIDER_TIMEOUT_MS: '2500', API_UPSTREAM_MAX_SOCKETS: '100' });
    expect([c.session.refreshGraceS, c.session.cacheEntries, c.session.cacheBytes, c.providerTimeoutMs, c.api.upstreamMaxSockets]).toEqual([120, 500, 8 * 1024 * 1024, 2500, 100]);
    expect(problemsOf({ ...oidcEnv, PROVIDER_TIMEOUT_MS: '10', SESSION_CACHE_ENTRIES: 'many' })).toEqual([
      'SESSION_CACHE_ENTRIES: must be a whole number of sessions',
      'PROVIDER_TIMEOUT_MS: must be at least 1000',
    ]);
  });
});
