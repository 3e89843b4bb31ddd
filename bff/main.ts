#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, readEnvironment, type Config } from './config.ts';
import { createLogger, resolveLogFormat } from './log.ts';
import { startupBanner, startupSummary } from './banner.ts';
import { listen, type RunningBff } from './server.ts';

/**
 * The BFF alone, for operators with their own provider: parse config, listen, shut down gracefully.
 * `npm start` goes through demo/start.ts, which calls this once it knows the provider.
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

/**
 * Run as a program (`node dist/bff/main.js`, or the package's `react-bff` bin, a symlink) rather than
 * imported: compared as file URLs of real paths, so a folder with a space or `%` in its name, or a
 * symlinked bin, is still recognised.
 */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void runBff(readEnvironment());
}
