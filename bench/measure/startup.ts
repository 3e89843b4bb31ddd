import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../proc/ports.ts';
import { waitReady } from '../stack.ts';
import { median } from './stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How the standalone server is started: what operators run (`node dist/bff/main.js`) and the old way under tsx. */
export const STARTERS = {
  dist: [`${ROOT}dist/bff/main.js`],
  tsx: ['--import', 'tsx', `${ROOT}bff/main.ts`],
} as const;

export interface StartupFigures {
  readyMs: number[];
  medianReadyMs: number;
  /** Resident memory after {@link IDLE_S} s of idling once ready (median of the runs), MiB. */
  idleRssMiB: number[];
  medianIdleRssMiB: number;
}

/**
 * Idle means idle: V8 keeps the young generation it grew while loading modules until its memory
 * reducer runs, a few seconds after the process goes quiet. Read earlier, RSS says more about
 * start-up garbage than about what the process holds.
 */
export const IDLE_S = 10;

/** Linux's view of a process's resident set (VmRSS), MiB. */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return kb / 1024;
}

/**
 * The standalone server as a plain process, from spawn to `/readyz` 200 (against a provider that is
 * up, so discovery is included), then its RSS after {@link IDLE_S} s of idling. No IPC, no bench harness
 * inside the process: what an operator's `node dist/bff/main.js` costs.
 */
export async function measureStartup(how: keyof typeof STARTERS, env: (port: number) => Record<string, string>, repeats: number): Promise<StartupFigures> {
  const readyMs: number[] = [];
  const idleRssMiB: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    const port = await freePort();
    const start = performance.now();
    const child = spawn(process.execPath, [...STARTERS[how]], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env(port), LOG_LEVEL: 'error', LOG_FORMAT: 'json' }, stdio: 'ignore' });
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`);
      readyMs.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, IDLE_S * 1000));
      idleRssMiB.push(await rssMiB(child.pid!));
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
  return { readyMs, medianReadyMs: median(readyMs), idleRssMiB, medianIdleRssMiB: median(idleRssMiB) };
}
