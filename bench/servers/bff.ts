import { loadConfig } from '../../bff/config.ts';
import { createLogger } from '../../bff/log.ts';
import { listen } from '../../bff/server.ts';
import type { AppDeps } from '../../bff/app.ts';
import { serveIpc } from './ipc.ts';

// Our real BFF, exactly as production builds it (loadConfig + listen), configured by the parent
// through the environment. The one addition: provider calls are counted (through the injected
// fetch, the same seam tests use), so the bench can prove "one burst, one refresh".
const calls = { token: 0, other: 0 };
const countingFetch: NonNullable<AppDeps['fetch']> = (url, options) => {
  if (new URL(url).pathname.endsWith('/token')) calls.token += 1;
  else calls.other += 1;
  return fetch(url, options as RequestInit); // openid-client's body type is a subset of fetch's
};

// BENCH_ROUTES=N: the same BFF with N routes in its table (N - 1 decoys beside the env's `/api`),
// to show what a larger table costs a request.
const extraRoutes = Math.max(0, Number(process.env.BENCH_ROUTES ?? 0) - 1);
const decoys = Array.from({ length: extraRoutes }, (_, i) => ({
  path: `/api/svc${i}${i % 2 ? `/v${i % 5}` : ''}`,
  upstream: `${process.env.API_UPSTREAM_URL}/svc${i}`,
  token: (['user', 'user-optional', 'none'] as const)[i % 3],
}));
// BENCH_WS=1: a WebSocket route `/api/ws` to the upstream's echo.
const ws = process.env.BENCH_WS === '1' ? [{ path: '/api/ws', upstream: `${process.env.API_UPSTREAM_URL}/ws`, websocket: true }] : [];
const apis = [...decoys, ...ws];
const config = loadConfig(process.env, apis.length > 0 ? { file: { apis } } : {});
const bff = await listen(config, { log: createLogger(config.logLevel), fetch: countingFetch });
serveIpc({ url: bff.url, publicOrigin: config.publicOrigin }, () => bff.shutdown(1_000), {
  stats: () => ({ ...calls }),
});
