import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Free loopback ports, all held open together so no two of them are the same. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const s = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve, reject) => s.once('error', reject).listen(0, '127.0.0.1', () => resolve(s)));
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface DevProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves when the output matches; rejects on exit or after `timeoutMs` with the output so far. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (rejects after `timeoutMs`). */
  exited(timeoutMs: number): Promise<number | null>;
  /** SIGTERM to the whole process group (npm → sh → tsx → node), SIGKILL if it lingers. */
  stop(): Promise<void>;
}

/**
 * `npm run dev`, the real script, as a child process in its own process group (npm does not pass
 * signals down to tsx's node, so the group is what gets stopped).
 */
export function startNpmRunDev(cwd: string, env: Record<string, string>): DevProcess {
  return startChild('npm', ['run', 'dev'], cwd, env);
}

/** Any command, run and stopped the same way. */
export function startChild(command: string, args: string[], cwd: string, env: Record<string, string>): DevProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NODE_ENV: 'development', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      for (const l of listeners) l();
      resolve(code);
    }),
  );

  function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = text.match(pattern);
        if (m) done(() => resolve(m));
        else if (exitCode !== undefined) done(() => reject(new Error(`${command} exited (${exitCode}) before printing ${pattern}:\n${text}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });
  }

  async function exited(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${command} still running after ${timeoutMs} ms:\n${text}`)), timeoutMs)));
    try {
      return await Promise.race([exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function stop(): Promise<void> {
    if (exitCode !== undefined && !groupAlive(child.pid!)) return;
    signalGroup(child.pid!, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (groupAlive(child.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(child.pid!)) signalGroup(child.pid!, 'SIGKILL');
    await exit;
  }

  return { child, output: () => text, waitForOutput, exited, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
