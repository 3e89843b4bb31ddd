import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoProvider, type DemoProvider } from '../../demo/provider/index.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { walkToCallback } from '../demo/oidc-flow.ts';
import { freePorts } from '../dev/dev-process.ts';
import { consumerLock } from './consumer-lock.ts';
import { launchChromium } from '../support/chromium.ts';
import { readmeRecipes } from './readme-recipes.ts';
import { waitForAsync } from '../support/wait.ts';

// The package as someone else gets it: `npm pack`, the tarball installed offline into a fresh
// project whose folder name has a space (later also a `%`: both once broke `main.ts`'s entry check),
// and there the README's recipes, copied out of README.md as they are written.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const SESSION_SECRET = 'consumer-session-secret-0123456789-abcdefghij';
const CLIENT = { client_id: 'consumer-app', client_secret: 'consumer-app-secret-0123456789abcdef' };
/** What the consumer installs besides the tarball, at the versions this project's lock pins. */
const CONSUMER_PACKAGES = [
  'typescript', '@types/express', '@types/node', 'vitest', 'msw',
  'react', 'react-dom', '@tanstack/react-query', 'zod', 'vite', '@vitejs/plugin-react', '@types/react', '@types/react-dom',
];

let dir: string;
let provider: DemoProvider | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'consumer app '));
  // --ignore-scripts: `prepack` would rebuild dist/ under the other test files that run from it.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Parameters<typeof consumerLock>[1]['manifest'];
  const { lock, dependencies } = consumerLock(join(ROOT, 'package-lock.json'), { file: filename, bytes: await readFile(join(dir, filename)), manifest }, CONSUMER_PACKAGES);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
  for (const recipe of readmeRecipes(await readFile(join(ROOT, 'README.md'), 'utf8'))) {
    await mkdir(join(dir, dirname(recipe.file)), { recursive: true });
    await writeFile(join(dir, recipe.file), recipe.code);
  }
}, 240_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await provider?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts a Node program in the consumer project and resolves once its output matches `ready`. */
async function startIn(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`)));
  });
  return child;
}

async function startProviderFor(bffOrigin: string): Promise<DemoProvider> {
  await provider?.close();
  provider = await startDemoProvider({
    host: '127.0.0.1',
    port: 0,
    apiAudience: 'urn:consumer-api',
    client: { ...CLIENT, redirect_uris: [`${bffOrigin}/auth/callback`], post_logout_redirect_uris: [`${bffOrigin}/`] },
  });
  return provider;
}

function envFor(issuer: string, port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    BFF_PUBLIC_URL: `http://127.0.0.1:${port}`,
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: CLIENT.client_id,
    OIDC_CLIENT_SECRET: CLIENT.client_secret,
    SESSION_SECRET,
    LOG_LEVEL: 'warn',
  };
}

describe('the package, installed from its tarball into a fresh project', () => {
  it('brings the library, the React module, the testing kit and the bin, but no provider and no demo', () => {
    const installed = join(dir, 'node_modules', 'react-bff');
    for (const file of ['dist/bff/index.js', 'dist/bff/index.d.ts', 'dist/bff/main.js', 'dist/client/bff/index.js', 'dist/test/support/idp/index.js', 'dist/spa/index.html']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(existsSync(join(dir, 'node_modules', '.bin', 'react-bff'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', 'oidc-provider'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(installed, 'dist', 'demo'))).toBe(false);
    expect(existsSync(join(installed, 'bff'))).toBe(false);
  });

  it('README recipe "Your own server": typechecks, starts, and its own routes work for a real sign-in', async () => {
    await run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'server'], { cwd: dir });
    const [port] = await freePorts(1);
    const origin = `http://127.0.0.1:${port}`;
    const { issuer } = await startProviderFor(origin);
    await startIn(['server/server.js'], envFor(issuer, port!), /listening on/);

    const jar = new CookieJar();
    const csrf = { 'x-csrf': '1' };
    expect(await (await jar.fetch(new URL('/local/feed', origin), { headers: csrf })).json()).toEqual({ hello: 'guest' });
    const anonymous = await jar.fetch(new URL('/local/me', origin), { headers: csrf });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'unauthenticated' });

    const login = await jar.fetch(new URL('/auth/login', origin), { redirect: 'manual' });
    const { callback } = await walkToCallback(jar, new URL(login.headers.get('location')!), 'alice', `${origin}/auth/callback`);
    expect((await jar.fetch(callback, { redirect: 'manual' })).status).toBe(302);

    expect(await (await jar.fetch(new URL('/local/me', origin), { headers: csrf })).json()).toEqual({ sub: 'alice' });
    expect(await (await jar.fetch(new URL('/local/feed', origin), { headers: csrf })).json()).toEqual({ hello: 'Alice Demo' });
    // alice is an editor, not an admin.
    const admin = await jar.fetch(new URL('/local/admin', origin), { method: 'POST', headers: csrf });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({ code: 'forbidden', missing: ['roles'] });
    // Anything else ends at the SPA (BFF_STATIC_DIR unset: the package's own build), index.html for client-side routes.
    const elsewhere = await jar.fetch(new URL('/elsewhere', origin));
    expect(elsewhere.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await elsewhere.text()).toMatch(/<div id="root">/);
  });

  it('README recipe "Your own Vite + React app": typechecks, builds, and signs in in Chromium through the server recipe', async () => {
    const spa = join(dir, 'spa');
    await run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: spa });
    await run(process.execPath, [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: spa });
    await run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'server'], { cwd: dir });
    const [port] = await freePorts(1);
    const origin = `http://127.0.0.1:${port}`;
    const { issuer } = await startProviderFor(origin);
    await startIn(['server/server.js'], { ...envFor(issuer, port!), BFF_STATIC_DIR: 'spa/dist' }, /listening on/);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.origin === new URL(issuer).origin);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('not-checked');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.origin === origin);
      await page.getByText('Hello Alice Demo').waitFor();
      // The module's query reached the host's requireUser() route with the session and X-CSRF.
      await page.getByText('Your id on the server: alice').waitFor();
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    } finally {
      await browser.close();
    }
  });

  it('README recipe "Your tests": its vitest test passes against the testing module', async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=json'], { cwd: dir });
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
    expect(report).toMatchObject({ numFailedTests: 0, numPassedTests: 1, numTotalTests: 1 });
  });

  it('the bin (npx react-bff) runs the standalone server from a path with a space and %, and serves the built SPA', async () => {
    // Moved, not named so from the start: vitest itself cannot run from a folder with `%` in its path.
    const moved = `${dir} 100%`;
    await rename(dir, moved);
    dir = moved;
    const [port] = await freePorts(1);
    const origin = `http://127.0.0.1:${port}`;
    const { issuer } = await startProviderFor(origin);
    await startIn([join(dir, 'node_modules', '.bin', 'react-bff')], { ...envFor(issuer, port!), LOG_FORMAT: 'json', LOG_LEVEL: 'info' }, /"event":"listening"/);
    // Discovery runs in the background after the listening line.
    await waitForAsync(async () => (await fetch(`${origin}/readyz`)).status === 200);
    const page = await fetch(`${origin}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<div id="root">/);
  });
});
