import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { builtEntry } from './built.ts';

/**
 * The standalone BFF (`node dist/bff/main.js`: the bundle, its node-redis chunk loaded on demand) in a process of its own on a
 * loopback port, in an empty working directory (no stray .env or bff.config.json). Resolves once it
 * logs `listening`; its JSON log lines are kept.
 */
export async function startBffProcess(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [builtEntry('bff/main.js')], {
    cwd: mkdtempSync(join(tmpdir(), 'bff-proc-')),
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', BFF_STATIC_DIR: 'none', LOGIN_RATE_LIMIT_PER_MIN: '100000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.event === 'listening') resolve(entry.url as string);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`BFF process exited (${code}) before listening: ${stderr.slice(-1000)}`)));
  });
  return {
    url,
    logs,
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export type BffProcess = Awaited<ReturnType<typeof startBffProcess>>;
