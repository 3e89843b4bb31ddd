import { startDemoProvider, type DemoClient } from '../../demo/provider/index.ts';
import { serveIpc } from './ipc.ts';

// The demo provider (not measured; in its own process so its work never lands on the load
// generator's event loop). One client for every BFF instance and the peer.
const client = JSON.parse(process.env.BENCH_CLIENT ?? '{}') as DemoClient;
const provider = await startDemoProvider({
  host: '127.0.0.1',
  port: 0,
  client,
  apiAudience: 'urn:bench-api',
  accessTokenTtl: Number(process.env.BENCH_ACCESS_TOKEN_TTL_S ?? 3600),
});
serveIpc({ issuer: provider.issuer }, () => provider.close());
