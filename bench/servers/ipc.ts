/**
 * The child side of the bench's IPC channel. Every measured server runs in its own process so the
 * load generator never shares an event loop with it; the parent learns the port from `ready`,
 * asks questions (`rss`, `stats`) by id, and says `stop`. An orphaned child (parent gone, channel
 * closed) exits on its own, so nothing outlives a crashed or interrupted run.
 */
export type Answer = () => unknown;

interface Query {
  id: number;
  q: string;
}

export function serveIpc(ready: Record<string, unknown>, stop: () => Promise<void>, answers: Record<string, Answer> = {}): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('bench servers run as forked children (see bench/proc/child.ts)');
  const all: Record<string, Answer> = {
    rss: () => process.memoryUsage().rss,
    // CPU time (µs) is robust to other load on the machine in a way throughput is not.
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    ...answers,
  };
  let stopping = false;
  // process.exit (not a signal) so that --cpu-prof writes its profile.
  const quit = () => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => process.exit(0), 3_000);
    hard.unref();
    void stop().finally(() => process.exit(0));
  };
  process.on('message', (msg: Query | 'stop') => {
    if (msg === 'stop') return quit();
    const answer = all[msg.q];
    send({ id: msg.id, value: answer ? answer() : null });
  });
  process.on('disconnect', quit);
  send({ id: 0, value: ready });
}
