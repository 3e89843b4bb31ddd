import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** tsx's loader as a file URL: `--import tsx` would resolve against the child's cwd, this does not. */
const TSX = import.meta.resolve('tsx');
const SERVERS = new URL('../servers/', import.meta.url);
const READY_TIMEOUT_MS = 30_000;
const QUERY_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 5_000;

export interface Child<R = Record<string, unknown>> {
  name: string;
  pid: number;
  ready: R;
  /** Asks the child a question it registered in serveIpc (`rss`, `stats`…). */
  query<T = unknown>(q: string): Promise<T>;
  stop(): Promise<void>;
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

/**
 * Forks `bench/servers/<script>.ts` (node --import tsx) and waits for its `ready` message. Its
 * output goes to our stderr, prefixed, so stdout stays the report.
 */
export async function startChild<R = Record<string, unknown>>(name: string, script: string, opts: ChildOptions = {}): Promise<Child<R>> {
  const file = fileURLToPath(new URL(`${script}.ts`, SERVERS));
  const proc = fork(file, [], {
    execPath: process.execPath,
    execArgv: [...(opts.nodeArgs ?? []), '--import', TSX],
    env: { ...inherited(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  prefixLines(name, proc);
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    proc.once('exit', (code) => reject(new Error(`${name}: exited with ${code} before it was ready`)));
    proc.on('message', (msg: { id: number; value: unknown }) => {
      if (msg.id === 0) {
        clearTimeout(timer);
        resolve(msg.value as R);
      } else pending.get(msg.id)?.(msg.value);
    });
  }).catch((err: unknown) => {
    proc.kill('SIGKILL');
    throw err;
  });

  function query<T>(q: string): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: no answer to ${q}`));
      }, QUERY_TIMEOUT_MS);
      pending.set(id, (value) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(value as T);
      });
      proc.send({ id, q });
    });
  }

  async function stop(): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
    if (proc.connected) proc.send('stop');
    else proc.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  }

  return { name, pid: proc.pid!, ready, query, stop };
}

/** Our environment minus the BFF's own variables: a developer's shell or .env must not leak into a measured server. */
function inherited(): NodeJS.ProcessEnv {
  const app = /^(PORT|HOST|LOG_LEVEL|BFF_|OIDC_|SESSION_|TOKEN_|API_)/;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !app.test(k)));
}

function prefixLines(name: string, proc: ChildProcess): void {
  for (const stream of [proc.stdout, proc.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  }
}
