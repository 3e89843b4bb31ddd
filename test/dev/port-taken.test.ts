import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { freePorts, startNpmRunDev, type DevProcess } from './dev-process.ts';

// A second `npm run dev` used to move silently to 5174 while the provider still sent users back
// to 5173. Now a taken DEV_PORT stops it with a message, before anything else starts.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dev: DevProcess | undefined;
let holder: Server | undefined;

afterAll(async () => {
  await dev?.stop();
  await new Promise((r) => (holder ? holder.close(r) : r(undefined)));
});

it('stops with a message naming DEV_PORT when the port is taken, and starts nothing else', async () => {
  const [devPort, bffPort, providerPort, apiPort] = await freePorts(4);
  holder = createServer();
  await new Promise<void>((resolve) => holder!.listen(devPort, '127.0.0.1', resolve));

  dev = startNpmRunDev(ROOT, { DEV_PORT: String(devPort), PORT: String(bffPort), DEMO_PROVIDER_PORT: String(providerPort), DEMO_API_PORT: String(apiPort) });
  const code = await dev.exited(120_000);
  expect(code).not.toBe(0);
  expect(dev.output()).toContain(`DEV_PORT ${devPort} is already in use`);
  expect(dev.output()).toMatch(/set DEV_PORT to a free port/);
  expect(dev.output()).not.toMatch(/Dev server with hot reload/);
  // Nothing of the embedded stack was started on its ports.
  for (const port of [bffPort, providerPort, apiPort]) {
    const refused = await fetch(`http://127.0.0.1:${port}/`).then(() => false, () => true);
    expect(refused, `port ${port}`).toBe(true);
  }
}, 150_000);

it('refuses a DEV_PORT that is not a port number', async () => {
  const other = startNpmRunDev(ROOT, { DEV_PORT: 'abc' });
  try {
    expect(await other.exited(120_000)).not.toBe(0);
    expect(other.output()).toContain('DEV_PORT: must be a port number');
  } finally {
    await other.stop();
  }
}, 150_000);
