import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, resolveLogFormat } from './log.ts';
import { startupBanner, startupSummary } from './banner.ts';
import { listen, type RunningBff } from './server.ts';

/**
 * The BFF alone, for operators with their own provider: parse config, listen, shut down gracefully.
 * `node dist/bff/main.js` runs this; so does `npm start` (demo/start.ts) once it knows a provider is configured.
 */
export async function runBff(env: Record<string, string | undefined>, banner?: (bff: RunningBff, config: Config) => void): Promise<RunningBff> {
  let config: Config;
  try {
    config = loadConfig(env, { cwd: process.cwd() });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const format = resolveLogFormat(config.logFormat);
  const log = createLogger(config.logLevel, undefined, format);
  let bff: RunningBff;
  try {
    bff = await listen(config, { log });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') console.error(`Port ${config.port} on ${config.host} is already in use: stop the other process or set PORT.`);
    else if (code === 'EACCES') console.error(`Not allowed to listen on ${config.host}:${config.port}: choose a PORT above 1023.`);
    else console.error(`Cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    process.exit(1);
  }
  onShutdownSignal(async () => {
    log.info({ event: 'shutdown' });
    await bff.shutdown();
  });
  if (banner) banner(bff, config);
  else {
    const summary = startupSummary(config, bff.url);
    // A person at a terminal reads the banner; a log collector gets the same facts as one line.
    if (format === 'pretty') {
      process.stdout.write(`${startupBanner(summary)}\n`);
      log.debug({ event: 'listening', ...summary });
    } else log.info({ event: 'listening', ...summary });
  }
  return bff;
}

/** SIGTERM/SIGINT run every registered step once, then exit 0; a second signal exits at once. */
const steps: (() => Promise<void>)[] = [];
let stopping = false;
export function onShutdownSignal(step: () => Promise<void>): void {
  if (steps.length === 0) {
    const stop = () => {
      if (stopping) process.exit(1);
      stopping = true;
      void Promise.allSettled(steps.map((s) => s())).then(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  }
  steps.push(step);
}
