import { parseArgs } from 'node:util';

export interface BenchArgs {
  durationS: number;
  rounds: number;
  connections: number;
  warmupS: number;
  /** Seconds of soak; 0 runs the relay suite instead. */
  soakS: number;
  soakRate: number;
  writeDocs: boolean;
  /** Writes a V8 CPU profile of every BFF child to bench/results/profiles/. */
  profile: boolean;
  /** Leaves out the page-load measurement in Chromium. */
  skipPage: boolean;
  /** Only the standalone server's start-up cost (ready time, idle RSS). */
  startupOnly: boolean;
  /** Only how the relay's cost grows with the number and size of live sessions. */
  sessionsOnly: boolean;
  /** Only the several-instances figures (relay with and without REDIS_URL, stale bursts over three instances). */
  instancesOnly: boolean;
}

const USAGE = `npm run bench -- [--duration 5] [--rounds 3] [--connections 32] [--warmup 3] [--profile] [--skip-page] [--write-docs]
npm run bench -- --soak 300 [--soak-rate 500] [--write-docs]
npm run bench -- --startup
npm run bench -- --instances [--duration 5] [--rounds 3] [--connections 32] [--warmup 3]
npm run bench -- --sessions [--duration 5] [--connections 32]`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      warmup: { type: 'string', default: '3' },
      soak: { type: 'string', default: '0' },
      'soak-rate': { type: 'string', default: '500' },
      'write-docs': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'skip-page': { type: 'boolean', default: false },
      startup: { type: 'boolean', default: false },
      instances: { type: 'boolean', default: false },
      sessions: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}\n${USAGE}`);
    return n;
  };
  return {
    durationS: num('duration', values.duration, 1, 600),
    rounds: num('rounds', values.rounds, 1, 20),
    connections: num('connections', values.connections, 1, 1024),
    warmupS: num('warmup', values.warmup, 0, 60),
    soakS: num('soak', values.soak, 0, 24 * 3600),
    soakRate: num('soak-rate', values['soak-rate'], 1, 100_000),
    writeDocs: values['write-docs'],
    profile: values.profile,
    skipPage: values['skip-page'],
    startupOnly: values.startup,
    instancesOnly: values.instances,
    sessionsOnly: values.sessions,
  };
}
