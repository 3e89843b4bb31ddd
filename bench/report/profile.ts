import { readdir, readFile } from 'node:fs/promises';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = 25;

/**
 * The top self-time functions of the busiest V8 CPU profile in `dir` (the saturated BFF; the
 * other BFF child idles most of the run). Self time per function, as a share of non-idle time.
 */
export async function summarizeProfiles(dir: URL): Promise<string> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
  let best: { file: string; busyUs: number; self: Map<string, number> } | undefined;
  for (const file of files) {
    const profile = JSON.parse(await readFile(new URL(file, dir), 'utf8')) as CpuProfile;
    const self = selfTimes(profile);
    const busyUs = [...self].reduce((s, [k, v]) => (k.startsWith('(idle)') ? s : s + v), 0);
    if (!best || busyUs > best.busyUs) best = { file, busyUs, self };
  }
  if (!best) return `no CPU profile in ${dir.pathname}`;
  const { busyUs, self } = best;
  const rows = [...self]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([k, us]) => `${((100 * us) / busyUs).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return [`CPU profile ${dir.pathname}${best.file}: ${(busyUs / 1e6).toFixed(1)} s busy; top self time:`, ...rows].join('\n');
}

function selfTimes(p: CpuProfile): Map<string, number> {
  const keyOf = new Map<number, string>();
  for (const n of p.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? ` ${url.replace(`file://${process.cwd()}/`, '')}:${lineNumber + 1}` : '';
    keyOf.set(n.id, `${functionName || '(anonymous)'}${where}`);
  }
  const self = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i += 1) {
    const key = keyOf.get(p.samples[i]!) ?? '?';
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  return self;
}
