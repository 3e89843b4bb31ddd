import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../bff/config.ts';
import { CONTENT_SECURITY_POLICY } from '../../bff/http/security-headers.ts';
import { startTestBff, TEST_SECRET } from '../support/bff.ts';

// CSP additions by option: an avatar host, a CSS-in-JS style, an error-reporting endpoint. An
// option widens its own directive and nothing else: attempts to inject a directive, switch eval
// on or allow everything stop start-up with a message naming the variable.

const BASE = { OIDC_ISSUER: 'https://idp.example.test', OIDC_CLIENT_ID: 'bff', OIDC_CLIENT_SECRET: 'x', SESSION_SECRET: TEST_SECRET };

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

const directive = (csp: string, name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));

describe('CSP_* options', () => {
  it('add their sources to their own directive only, on every response', async () => {
    const bff = await startTestBff({
      env: {
        CSP_IMG_SRC: 'https://avatars.example.com *.gravatar.com',
        CSP_CONNECT_SRC: 'https://errors.example.com/api/ wss://live.example.com',
        CSP_STYLE_SRC: "'unsafe-inline'",
        CSP_FONT_SRC: 'https://fonts.gstatic.com',
      },
    });
    try {
      for (const path of ['/', '/healthz', '/auth/session']) {
        const csp = (await bff.browser().get(path)).headers.get('content-security-policy')!;
        expect(directive(csp, 'img-src')).toBe("img-src 'self' data: https://avatars.example.com *.gravatar.com");
        expect(directive(csp, 'connect-src')).toBe("connect-src 'self' https://errors.example.com/api/ wss://live.example.com");
        expect(directive(csp, 'style-src')).toBe("style-src 'self' 'unsafe-inline'");
        expect(directive(csp, 'font-src')).toBe("font-src 'self' https://fonts.gstatic.com");
        expect(directive(csp, 'script-src')).toBe("script-src 'self'");
        expect(directive(csp, 'frame-ancestors')).toBe("frame-ancestors 'none'");
        expect(csp.split('; ')).toHaveLength(CONTENT_SECURITY_POLICY.split('; ').length);
      }
    } finally {
      await bff.close();
    }
  });

  it('leave the policy exactly as before when unset', async () => {
    const bff = await startTestBff();
    try {
      expect((await bff.browser().get('/healthz')).headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    } finally {
      await bff.close();
    }
  });

  it.each([
    ['CSP_CONNECT_SRC', "'unsafe-eval'", 'lets strings run as code'],
    ['CSP_STYLE_SRC', "'wasm-unsafe-eval'", 'lets strings run as code'],
    ['CSP_IMG_SRC', '*', '"*" alone is not allowed'],
    ['CSP_IMG_SRC', "https://a.example; script-src 'unsafe-inline'", 'must not contain ";"'],
    ['CSP_CONNECT_SRC', 'https://a.example, https://b.example', 'must not contain'],
    ['CSP_IMG_SRC', 'https://a.example\nscript-src *', 'line breaks'],
    ['CSP_STYLE_SRC', "'self' 'nonce-abc'", "'nonce-abc' is not an allowed source"],
    ['CSP_IMG_SRC', "https://a.example'", 'is not an allowed source'],
    ['CSP_IMG_SRC', '"https://a.example"', 'is not an allowed source'],
    ['CSP_IMG_SRC', "'unsafe-inline'", 'only meaningful in style-src'],
    ['CSP_CONNECT_SRC', 'http:', 'use https:, wss:, data: or blob:'],
    ['CSP_IMG_SRC', 'javascript:', 'use https:, wss:, data: or blob:'],
    ['CSP_FONT_SRC', 'https://*', 'is not a host source'],
    ['CSP_IMG_SRC', 'https://a.*.example.com', 'is not a host source'],
    // What .env leaves of CSP_STYLE_SRC='unsafe-inline' (one level of quotes stripped).
    ['CSP_STYLE_SRC', 'unsafe-inline', `needs its single quotes: 'unsafe-inline' (in .env, quote the whole value: "'unsafe-inline'")`],
    ['CSP_CONNECT_SRC', 'unsafe-eval', 'needs its single quotes'],
    ['CSP_IMG_SRC', 'self', 'needs its single quotes'],
  ])('%s=%j is refused at start-up', (name, value, why) => {
    const message = problemsOf({ [name]: value });
    expect(message).toContain(`${name}: `);
    expect(message).toContain(why);
  });

  it('names every bad CSP variable in one message', () => {
    const message = problemsOf({ CSP_IMG_SRC: '*', CSP_CONNECT_SRC: "'unsafe-eval'" });
    expect(message).toMatch(/CSP_IMG_SRC: .*\n.*CSP_CONNECT_SRC: |CSP_CONNECT_SRC: .*\n.*CSP_IMG_SRC: /);
  });

  it(".env.example's commented CSP_STYLE_SRC line, uncommented, gives 'unsafe-inline'", async () => {
    const line = (await readFile(new URL('../../.env.example', import.meta.url), 'utf8')).split('\n').find((l) => l.startsWith('# CSP_STYLE_SRC='))!;
    const env = parseEnv(line.slice(2)) as Record<string, string>;
    expect(problemsOf(env)).toBe('');
    expect(loadConfig({ ...BASE, ...env }).csp.styleSrc).toEqual(["'unsafe-inline'"]);
  });

  it('accepts schemes, hashes and hosts with ports and paths', () => {
    expect(problemsOf({ CSP_IMG_SRC: 'data: blob: https: https://cdn.example.com:8443/img/', CSP_STYLE_SRC: "'sha256-abc+/=' https://cdn.example.com" })).toBe('');
  });
});
