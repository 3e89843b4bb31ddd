import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createBff, ConfigError, type Bff } from '../../bff/index.ts';
import { MINIMAL_ENV } from '../support/config.ts';

/** Nobody listens on port 9: discovery fails at once, and no test reaches out of the machine. */
const ENV = { ...MINIMAL_ENV, OIDC_ISSUER: 'http://127.0.0.1:9' };

// BFF_STATIC_DIR: the standalone server serves any SPA build, or none (API only).

const open: { server: Server; bff: Bff }[] = [];
afterEach(async () => {
  for (const { server, bff } of open.splice(0)) {
    server.close();
    await bff.close();
  }
});

/** The library's handler without `next`: exactly what the standalone server runs. */
async function serve(env: Record<string, string>, cwd?: string): Promise<string> {
  const bff = await createBff({ env: { ...ENV, LOG_LEVEL: 'silent', ...env }, ...(cwd ? { cwd } : {}) });
  const server = createServer((req, res) => bff.handler(req, res));
  open.push({ server, bff });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('BFF_STATIC_DIR', () => {
  it('serves another SPA build, relative to the working directory, with its index.html for unknown paths', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'bff-cwd-'));
    const spa = join(cwd, 'their-app');
    mkdirSync(spa);
    writeFileSync(join(spa, 'index.html'), '<!doctype html><title>their app</title>');
    writeFileSync(join(spa, 'app.js'), 'console.log("their app")');
    const base = await serve({ BFF_STATIC_DIR: 'their-app' }, cwd);
    expect(await (await fetch(`${base}/app.js`)).text()).toBe('console.log("their app")');
    expect(await (await fetch(`${base}/some/client/route`)).text()).toContain('<title>their app</title>');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('none: no SPA at all, every other path is a 404 problem', async () => {
    const base = await serve({ BFF_STATIC_DIR: 'none' });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('a folder without index.html stops start-up with a message naming the variable and the folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'bff-no-spa-'));
    const err = await createBff({ env: { ...ENV, BFF_STATIC_DIR: empty } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([expect.stringMatching(new RegExp(`^BFF_STATIC_DIR: ${empty} has no index.html`))]);
  });
});
