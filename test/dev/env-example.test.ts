import { builtEntry } from '../support/built.ts';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, startChild, type DevProcess } from './dev-process.ts';

// `.env.example` used to set PORT and BFF_PUBLIC_URL uncommented, so `cp .env.example .env` then
// `PORT=3100 npm start` announced and redirected to 3000. Every line is now commented out: copying
// it changes nothing, and the embedded default needs none of it.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, '.env.example');

let started: DevProcess | undefined;
let dir: string | undefined;
afterAll(async () => {
  await started?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('.env.example', () => {
  it('sets nothing: every line is a comment or blank', async () => {
    const text = await readFile(EXAMPLE, 'utf8');
    expect(text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))).toEqual([]);
    expect(parseEnv(text)).toEqual({});
  });

  it("names every variable of README's configuration table", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const documented = [...section.matchAll(/^\| ((?:`[A-Z][A-Z0-9_]+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((n) => n[1]!));
    expect(documented.length).toBeGreaterThan(15);
    const example = await readFile(EXAMPLE, 'utf8');
    expect(documented.filter((name) => !new RegExp(`^# ${name}=`, 'm').test(example))).toEqual([]);
  });

  it('copied to .env, PORT=<port> npm start announces and redirects to that port', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bff-env-example-'));
    await copyFile(EXAMPLE, join(dir, '.env'));
    const [port] = await freePorts(1);
    // `npm start` is `npm run build && node dist/demo/start.js`; the build is not what this is about.
    started = startChild(process.execPath, [builtEntry('demo/start.js')], dir, {
      PORT: String(port),
      DEMO_PROVIDER_PORT: '0',
      DEMO_API_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
    });
    await started.waitForOutput(/is ready: +http:\/\/localhost:\d+/, 120_000);
    expect(started.output()).toMatch(new RegExp(`is ready: +http://localhost:${port}\\b`));
    const login = await fetch(`http://127.0.0.1:${port}/auth/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(new URL(login.headers.get('location')!).searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/auth/callback`);
  }, 150_000);
});
