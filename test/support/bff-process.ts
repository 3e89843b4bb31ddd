import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const MAIN = fileURLToPath(new URL('../../bff/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/**
 * The standalone BFF (bff/main.ts, as `node dist/bff/main.js` runs it) in a process of its own on a
 * loopback port, in an empty working directory (no stray .env or bff.config.json). Resolves once it
 * logs `listening`; its JSON log lines are kept.
 */
export async function startBffProcess(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, MAIN], {
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
