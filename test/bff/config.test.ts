import { describe, expect, it } from 'vitest';
import { problemsOf } from '../support/config.ts';
import { loadConfig } from '../../bff/config.ts';

const base = {
  OIDC_ISSUER: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'bff',
  OIDC_CLIENT_SECRET: 's3cret',
  SESSION_SECRET: 'x'.repeat(32),
};


describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicOrigin).toBe('http://localhost:3000');
    expect(c.redirectUri).toBe('http://localhost:3000/auth/callback');
    expect(c.oidc.clientAuth).toBe('client_secret_basic');
    expect(c.oidc.scopes).toBe('openid profile email offline_access');
    expect(c.oidc.prompt).toBe('consent');
    expect(c.oidc.postLogoutRedirectUri).toBe('http://localhost:3000/');
    expect(c.api.timeoutMs).toBe(30_000);
    expect(c.logLevel).toBe('info');
    expect(c.session.absoluteTimeoutS).toBe(43_200);
    expect(c.session.idleTimeoutS).toBe(3600);
    expect(c.session.refreshSkewS).toBe(60);
    expect(c.session.loginRatePerMin).toBe(30);
    expect(c.secureCookies).toBe(false);
  });

  it('the state store: memory (64 MB) by default; REDIS_URL only as redis:// or rediss://; REDIS_KEY_PREFIX and STATE_MEMORY_MB read', () => {
    const c = loadConfig(base);
    expect(c.store).toEqual({ redisUrl: undefined, keyPrefix: 'bff:', memoryBytes: 64 * 1024 * 1024 });
    const r = loadConfig({ ...base, REDIS_URL: 'rediss://:pw@redis.internal:6380/1', REDIS_KEY_PREFIX: 'app1:', STATE_MEMORY_MB: '8' });
    expect(r.store.redisUrl?.href).toBe('rediss://:pw@redis.internal:6380/1');
    expect(r.store).toMatchObject({ keyPrefix: 'app1:', memoryBytes: 8 * 1024 * 1024 });
    for (const bad of ['http://redis.internal', 'redis.internal:6379', 'not a url']) expect(problemsOf({ ...base, REDIS_URL: bad }).map((p) => p.split(':')[0])).toEqual(['REDIS_URL']);
    expect(problemsOf({ ...base, STATE_MEMORY_MB: '0' }).map((p) => p.split(':')[0])).toEqual(['STATE_MEMORY_MB']);
  });

  it('reads LOGIN_RATE_LIMIT_PER_MIN and refuses zero, negative and fractional limits', () => {
    expect(loadConfig({ ...base, LOGIN_RATE_LIMIT_PER_MIN: '5' }).session.loginRatePerMin).toBe(5);
    for (const bad of ['0', '-1', '2.5', 'many']) expect(problemsOf({ ...base, LOGIN_RATE_LIMIT_PER_MIN: bad }).map((p) => p.split(':')[0])).toEqual(['LOGIN_RATE_LIMIT_PER_MIN']);
  });

  it('idle ≤ absolute: equal is allowed, one second more is refused', () => {
    const equal = loadConfig({ ...base, SESSION_ABSOLUTE_TIMEOUT_S: '7200', SESSION_IDLE_TIMEOUT_S: '7200' });
    expect(equal.session.idleTimeoutS).toBe(equal.session.absoluteTimeoutS);
    expect(problemsOf({ ...base, SESSION_ABSOLUTE_TIMEOUT_S: '7200', SESSION_IDLE_TIMEOUT_S: '7201' })).toEqual([
      'SESSION_IDLE_TIMEOUT_S: must not exceed SESSION_ABSOLUTE_TIMEOUT_S',
    ]);
    // Against the defaults (12 h absolute) when only one side is set.
    expect(loadConfig({ ...base, SESSION_IDLE_TIMEOUT_S: '43200' }).session.idleTimeoutS).toBe(43_200);
    expect(problemsOf({ ...base, SESSION_IDLE_TIMEOUT_S: '43201' })).toHaveLength(1);
    expect(problemsOf({ ...base, SESSION_ABSOLUTE_TIMEOUT_S: '3599' })).toHaveLength(1);
    expect(loadConfig({ ...base, SESSION_ABSOLUTE_TIMEOUT_S: '3600' }).session.absoluteTimeoutS).toBe(3600);
  });

  it('derives everything from BFF_PUBLIC_URL and turns on secure cookies for https', () => {
    const c = loadConfig({ ...base, BFF_PUBLIC_URL: 'https://app.example.com', PORT: '8080' });
    expect(c.redirectUri).toBe('https://app.example.com/auth/callback');
    expect(c.oidc.postLogoutRedirectUri).toBe('https://app.example.com/');
    expect(c.secureCookies).toBe(true);
    expect(c.port).toBe(8080);
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({ PORT: 'eighty', OIDC_CLIENT_AUTH: 'private_key_jwt', LOG_LEVEL: 'loud', SESSION_SECRET: 'short', API_UPSTREAM_URL: 'ftp://x' });
    const named = problems.map((p) => p.split(':')[0]);
    for (const v of ['PORT', 'OIDC_CLIENT_AUTH', 'LOG_LEVEL', 'API_UPSTREAM_URL', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'SESSION_SECRET']) {
      expect(named, v).toContain(v);
    }
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('refuses a plain-http issuer off loopback and allows it on loopback', () => {
    expect(problemsOf({ ...base, OIDC_ISSUER: 'http://idp.example.com' }).join()).toMatch(/OIDC_ISSUER: must be https/);
    for (const host of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]']) {
      expect(loadConfig({ ...base, OIDC_ISSUER: `http://${host}:3001` }).oidc.issuer.protocol).toBe('http:');
    }
    // A look-alike host is not loopback.
    expect(problemsOf({ ...base, OIDC_ISSUER: 'http://127.0.0.1.evil.example' }).join()).toMatch(/OIDC_ISSUER/);
  });

  it('splits SESSION_SECRET on commas and requires 32 characters of each', () => {
    const c = loadConfig({ ...base, SESSION_SECRET: `${'a'.repeat(32)}, ${'b'.repeat(40)}` });
    expect(c.session.secrets).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(problemsOf({ ...base, SESSION_SECRET: `${'a'.repeat(32)},tooshort` }).join()).toMatch(/SESSION_SECRET/);
  });

  it('refuses a BFF_PUBLIC_URL with a path, and scopes without openid', () => {
    expect(problemsOf({ ...base, BFF_PUBLIC_URL: 'https://app.example.com/app' }).join()).toMatch(/BFF_PUBLIC_URL/);
    expect(problemsOf({ ...base, OIDC_SCOPES: 'profile email' }).join()).toMatch(/OIDC_SCOPES/);
  });

  it('treats empty values as unset, and lets OIDC_PROMPT opt out of prompt=consent', () => {
    expect(loadConfig({ ...base, PORT: '', LOG_LEVEL: '' }).port).toBe(3000);
    expect(loadConfig({ ...base, OIDC_PROMPT: 'none-sent' }).oidc.prompt).toBeUndefined();
    expect(loadConfig({ ...base, OIDC_SCOPES: 'openid profile' }).oidc.prompt).toBeUndefined();
    expect(loadConfig({ ...base, OIDC_PROMPT: 'login' }).oidc.prompt).toBe('login');
  });

  it('is frozen', () => {
    const c = loadConfig(base);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.oidc)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});
