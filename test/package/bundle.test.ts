import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtEntry } from '../support/built.ts';
import { startBffProcess, type BffProcess } from '../support/bff-process.ts';

// The standalone bundle (build/bundle-server.mjs, build/bundle-plugins.mjs) keeps what never runs out
// of main.js: undici beyond its Pool, zod's translations, and iconv-lite, mime-types and qs, which express's
// dependencies require at start-up, as chunks loaded on first use. These tests break when a package
// slips back into main.js, and when a chunk fails to load or behaves differently once loaded.

const LAZY = ['iconv-lite', 'mime-types', 'qs'] as const;

describe('dist/bff/main.js', () => {
  it('holds none of the code an idle server does not run; each package loaded on first use is a chunk of its own', () => {
    const main = readFileSync(builtEntry('bff/main.js'), 'utf8');
    // A string each package's code carries (minifiers keep property names and literals).
    const markers: Record<string, string> = {
      'undici beyond Pool (its index exports MockAgent)': 'MockAgent',
      'iconv-lite (its code tables)': 'shiftjis',
      'mime-types (the mime database)': 'application/vnd.openxmlformats',
      'qs (its parse options)': 'allowDots',
      // `import * as z from 'zod'` lets esbuild drop the namespace members nobody reads; `import { z }` kept them all.
      "zod's translations (only English is used)": 'Ungültige Eingabe',
    };
    for (const [what, marker] of Object.entries(markers)) expect(main.includes(marker), what).toBe(false);
    for (const name of LAZY) expect(existsSync(join(dirname(builtEntry('bff/main.js')), 'chunks', `${name}.cjs`)), name).toBe(true);
  });

  describe('running', () => {
    let bff: BffProcess;
    beforeAll(async () => {
      const spa = mkdtempSync(join(tmpdir(), 'bundle-spa-'));
      writeFileSync(join(spa, 'index.html'), '<!doctype html><title>spa</title>');
      writeFileSync(join(spa, 'app.css'), 'body { color: black }');
      writeFileSync(join(spa, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
      // No provider needs to answer: nothing here signs in.
      bff = await startBffProcess({ OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_CLIENT_ID: 'bundle', OIDC_CLIENT_SECRET: 's'.repeat(32), SESSION_SECRET: 'k'.repeat(40), BFF_STATIC_DIR: spa });
    });
    afterAll(() => bff?.stop());

    it('serves static files with their types (mime-types, loaded on first use)', async () => {
      for (const [file, type] of [['/app.css', 'text/css; charset=utf-8'], ['/logo.svg', 'image/svg+xml'], ['/', 'text/html; charset=utf-8']] as const) {
        const res = await fetch(new URL(file, bff.url));
        expect(res.status, file).toBe(200);
        expect(res.headers.get('content-type'), file).toBe(type);
      }
    });

    it("answers its own JSON with express's content type", async () => {
      for (const path of ['/auth/providers', '/auth/session', '/healthz']) {
        const res = await fetch(new URL(path, bff.url));
        expect(res.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
        expect(Number(res.headers.get('content-length')), path).toBe(Buffer.byteLength(await res.text()));
      }
    });

    it('reads form bodies in the charsets body-parser accepts (iconv-lite and qs, loaded on first use), and refuses the others and oversized ones', async () => {
      const post = (contentType: string, body: string | Uint8Array<ArrayBuffer>) =>
        fetch(new URL('/auth/backchannel-logout', bff.url), { method: 'POST', headers: { 'content-type': contentType }, body });
      // A body that parses reaches the logout token check: the provider's OAuth error, not a problem.
      for (const [contentType, body] of [
        ['application/x-www-form-urlencoded', 'logout_token=not-a-jwt'],
        ['application/x-www-form-urlencoded; charset=utf-8', 'logout_token=%C3%A9'],
        ['application/x-www-form-urlencoded; charset=iso-8859-1', new Uint8Array(Buffer.from('logout_token=\xe9', 'latin1'))],
      ] as const) {
        const res = await post(contentType, body);
        expect(res.status, contentType).toBe(400);
        expect(await res.json(), contentType).toEqual({ error: 'invalid_request' });
      }
      const unsupported = await post('application/x-www-form-urlencoded; charset=koi8-r', 'logout_token=x');
      expect(unsupported.status).toBe(415);
      expect(unsupported.headers.get('content-type')).toBe('application/problem+json');
      const oversized = await post('application/x-www-form-urlencoded', `logout_token=${'a'.repeat(20_000)}`);
      expect(oversized.status).toBe(413);
      expect(((await oversized.json()) as { code: string }).code).toBe('payload_too_large');
    });
  });
});
