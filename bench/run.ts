import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from './args.ts';
import { measurePageLoads } from './measure/page.ts';
import { runSuite, runStartupOnly, PROFILE_DIR } from './suite.ts';
import { runSessionScaling, sessionScalingTable } from './sessions.ts';
import { runSoak } from './soak.ts';
import { chartSvg } from './report/chart.ts';
import { instancesTable, soakTable, startupRows, suiteTables, table } from './report/table.ts';
import { measureInstances } from './instances.ts';
import { machine, readResult, roundSpread, writeResult, NOISY_SPREAD, RESULTS_DIR, type SoakResult, type SuiteResult } from './report/results.ts';
import { writeDocs } from './report/docs.ts';
import { summarizeProfiles } from './report/profile.ts';

// `npm run bench`: the relay suite (or `--soak N`). Progress goes to stderr, the report to stdout.
const argv = process.argv.slice(2);
const args = parseBenchArgs(argv);
const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
const progress = (line: string) => process.stderr.write(`${line}\n`);
const load = os.loadavg()[0]!;
if (load > os.availableParallelism() / 2) progress(`warning: load average ${load.toFixed(2)} on ${os.availableParallelism()} cores: other work will skew the figures`);

// Everything stops by itself: past its budget the run exits, and the children exit with it (IPC closes).
const budgetS = args.soakS > 0
  ? args.soakS + 180
  : 7 * (args.warmupS + args.rounds * args.durationS) + 2 * args.rounds * (args.durationS + 1) + 300 + (args.skipPage ? 0 : 180) + instancesBudgetS();
setTimeout(() => {
  console.error(`bench: still running after its ${budgetS} s budget; stopping`);
  process.exit(2);
}, budgetS * 1000).unref();

/** Two targets' warm-up and rounds, five stale bursts 3.5 s apart, start-up of six processes and redis-server. */
function instancesBudgetS(): number {
  return 2 * (args.warmupS + args.rounds * args.durationS) + 5 * 4 + 90;
}

if (args.instancesOnly) {
  const instances = { ...(await measureInstances(args, progress)), alone: { date: new Date().toISOString(), command, loadAtStart: Number(load.toFixed(2)) } };
  const file = await writeResult('instances.json', instances);
  console.log(`\n${instancesTable(instances)}\n\n${fileURLToPath(file)}`);
  if (instances.redisVsPlainRps < 0.95 || !instances.burst.allOk || instances.burst.refreshes.some((n) => n !== 1)) process.exitCode = 1;
} else if (args.sessionsOnly) {
  const rows = await runSessionScaling({ durationS: args.durationS, connections: args.connections }, progress);
  await writeFile(new URL('sessions.json', RESULTS_DIR), JSON.stringify({ date: new Date().toISOString(), command, machine: machine(), rows }, null, 2));
  console.log(`\n${sessionScalingTable(rows)}`);
} else if (args.startupOnly) {
  const startup = await runStartupOnly(progress);
  console.log(`\n${table(['measure', 'value'], startupRows(startup))}`);
} else if (args.soakS > 0) {
  const soak = await runSoak(args, command, progress);
  const file = await writeResult('soak.json', soak);
  console.log(`\n${soakTable(soak)}\n\n${fileURLToPath(file)}`);
  if (args.writeDocs) await docs(await readResult<SuiteResult>('latest.json'), soak);
  if (soak.errors > 0 || soak.non2xx > 0 || !(soak.rssGrowthPct < 10)) process.exitCode = 1;
} else {
  if (args.profile) await rm(PROFILE_DIR, { recursive: true, force: true });
  const suite = await runSuite(args, command, progress);
  suite.instances = await measureInstances(args, progress);
  if (!args.skipPage) suite.page = await measurePageLoads(progress);
  const file = await writeResult('latest.json', suite);
  const chart = new URL('chart.svg', RESULTS_DIR);
  await writeFile(chart, chartSvg(suite));
  console.log(`\n${suiteTables(suite)}${suite.instances ? `\n\n${instancesTable(suite.instances)}` : ''}\n\n${fileURLToPath(file)}\n${fileURLToPath(chart)}`);
  const spread = roundSpread(suite);
  if (spread > NOISY_SPREAD) progress(`warning: rounds of one path differ by ${Math.round(spread * 100)} %: something else ran during the bench`);
  if (args.writeDocs) await docs(suite, await readResult<SoakResult>('soak.json'));
  if (args.profile) console.log(`\n${await summarizeProfiles(PROFILE_DIR)}`);
}

async function docs(suite: SuiteResult | undefined, soak: SoakResult | undefined): Promise<void> {
  if (!suite) throw new Error('--write-docs needs a suite run first (bench/results/latest.json)');
  const written = await writeDocs(suite, soak);
  console.log(`\nwrote ${written.join(', ')}`);
}
