import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { startChild, type Child } from './proc/child.ts';
import { freePort } from './proc/ports.ts';

type Url = { url: string };

export interface AppUnderTest {
  name: string;
  child: Child<Url>;
  /** Where the load goes (127.0.0.1:port). */
  url: string;
  /** Where sign-in starts. */
  loginUrl: URL;
}

export interface StackOptions {
  /** BFF instances by name, with extra environment (e.g. TOKEN_REFRESH_SKEW_S). */
  bffs: Record<string, Record<string, string>>;
  peer: boolean;
  floor: boolean;
  /** The thin relays beside the floor: undici's Pool, and nginx (when NGINX_PATH exists). */
  thin?: boolean;
  accessTokenTtlS: number;
  /** Node flags for the BFF children (e.g. --cpu-prof). */
  bffNodeArgs?: string[];
}

export interface Stack {
  upstream: Child<Url>;
  floor: Child<Url> | undefined;
  undici: Child<Url> | undefined;
  /** Absent without nginx on this machine (Debian `nginx-light`). */
  nginx: Child<Url> | undefined;
  apps: Map<string, AppUnderTest>;
  /** The environment a BFF needs for this provider and upstream, for one started by hand (cold start). */
  bffEnv(port: number): Record<string, string>;
  stop(): Promise<void>;
}

/** The benchmark's topology: provider, upstream, floor, BFF instances and the peer, each its own process. */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const children: Child<object>[] = [];
  const started = <T extends Child<object>>(c: T): T => (children.push(c), c);
  try {
    const bffPorts = Object.fromEntries(await Promise.all(Object.keys(opts.bffs).map(async (n) => [n, await freePort()] as const)));
    const peerPort = opts.peer ? await freePort() : 0;
    const client = {
      client_id: 'bench',
      client_secret: randomBytes(32).toString('base64url'),
      redirect_uris: [
        ...Object.values(bffPorts).map((p) => `http://localhost:${p}/auth/callback`),
        ...(opts.peer ? [`http://localhost:${peerPort}/callback`] : []),
      ],
      post_logout_redirect_uris: ['http://localhost/'],
    };
    const [provider, upstream] = await Promise.all([
      startChild<{ issuer: string }>('provider', 'provider', {
        env: { BENCH_CLIENT: JSON.stringify(client), BENCH_ACCESS_TOKEN_TTL_S: String(opts.accessTokenTtlS) },
      }),
      startChild<Url>('upstream', 'upstream'),
    ]);
    started(provider);
    started(upstream);
    const secret = randomBytes(32).toString('base64url');
    const bffEnv = (port: number): Record<string, string> => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      BFF_PUBLIC_URL: `http://localhost:${port}`,
      OIDC_ISSUER: provider.ready.issuer,
      OIDC_CLIENT_ID: client.client_id,
      OIDC_CLIENT_SECRET: client.client_secret,
      SESSION_SECRET: secret,
      API_UPSTREAM_URL: upstream.ready.url,
      LOG_LEVEL: 'warn',
    });

    const apps = new Map<string, AppUnderTest>();
    const thinEnv = { env: { UPSTREAM_URL: upstream.ready.url, FLOOR_TOKEN: FIXED_TOKEN } };
    const floorP = opts.floor ? startChild<Url>('floor', 'floor', thinEnv) : undefined;
    const undiciP = opts.thin ? startChild<Url>('undici', 'undici-floor', thinEnv) : undefined;
    const nginxP = opts.thin && existsSync(NGINX_PATH) ? startChild<Url>('nginx', 'nginx', { env: { ...thinEnv.env, NGINX_BIN: NGINX_PATH } }) : undefined;
    const bffsP = Object.entries(opts.bffs).map(async ([name, extra]) => {
      const port = bffPorts[name]!;
      const child = started(await startChild<Url>(name, 'bff', { env: { ...bffEnv(port), ...extra }, nodeArgs: opts.bffNodeArgs ?? [] }));
      await waitReady(`${child.ready.url}/readyz`);
      apps.set(name, { name, child, url: child.ready.url, loginUrl: new URL(`http://localhost:${port}/auth/login?returnTo=/auth/session`) });
    });
    const peerP = opts.peer
      ? startChild<Url>('peer', 'peer', {
          env: {
            PORT: String(peerPort),
            BASE_URL: `http://localhost:${peerPort}`,
            OIDC_ISSUER: provider.ready.issuer,
            OIDC_CLIENT_ID: client.client_id,
            OIDC_CLIENT_SECRET: client.client_secret,
            SESSION_SECRET: secret,
            UPSTREAM_URL: upstream.ready.url,
          },
        }).then((child) => {
          started(child);
          apps.set('peer', { name: 'peer', child, url: child.ready.url, loginUrl: new URL(`http://localhost:${peerPort}/login`) });
        })
      : undefined;
    const floor = floorP ? started(await floorP) : undefined;
    const undici = undiciP ? started(await undiciP) : undefined;
    const nginx = nginxP ? started(await nginxP) : undefined;
    await Promise.all([...bffsP, peerP]);
    return {
      upstream,
      floor,
      undici,
      nginx,
      apps,
      bffEnv,
      stop: () => stopAll(children),
    };
  } catch (err) {
    await stopAll(children);
    throw err;
  }
}

/** nginx for the thin-relay column (Debian `nginx-light`); the column is skipped when it is absent. */
export const NGINX_PATH = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** The floor's bearer token: the length of a typical JWT access token, so the upstream sees the same bytes. */
export const FIXED_TOKEN = `eyJ${'x'.repeat(880)}`;

async function stopAll(children: Child<object>[]): Promise<void> {
  await Promise.allSettled(children.reverse().map((c) => c.stop()));
}

/** Polls a readiness URL (every 10 ms, at most `timeoutMs`). Resolves with the time it took. */
export async function waitReady(url: string, timeoutMs = 20_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    const ok = await fetch(url).then((r) => (r.body?.cancel(), r.status === 200), () => false);
    if (ok) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}
