import type { SuiteResult } from './results.ts';

// The chart in docs/BENCHMARKS.md: two panels of bars, one per metric (their units differ), one
// bar per path. Hand-written SVG: no dependency, diff-able, renders on GitHub.

const W = 760;
const H = 340;
const PANEL_W = 330;
const TOP = 64;
const BOTTOM = 290;
const COLORS: Record<string, string> = { direct: '#9ca3af', floor: '#6b7280', bff: '#2563eb', peer: '#f59e0b' };
const NAMES = ['direct', 'floor', 'bff', 'peer'] as const;

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** 1, 2 or 5 × 10^k: the smallest "nice" step that splits `max` into at most 5 gridlines. */
function niceStep(max: number): number {
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
}

interface Scale {
  y(v: number): number;
  ticks: number[];
}

function linear(values: number[]): Scale {
  const step = niceStep(Math.max(...values));
  const top = Math.ceil(Math.max(...values) / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return { y: (v) => BOTTOM - ((BOTTOM - TOP) * v) / top, ticks };
}

/** Decades: the peer's latency is two orders of magnitude above the others, which a linear axis would flatten. */
function logarithmic(values: number[]): Scale {
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values))));
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  return { y: (v) => BOTTOM - ((BOTTOM - TOP) * (Math.log10(v) - lo)) / (hi - lo), ticks };
}

function panel(x0: number, title: string, values: number[], scale: Scale, format: (v: number) => string): string {
  const { y, ticks } = scale;
  const base = y(ticks[0]!);
  const out: string[] = [`<text x="${x0 + PANEL_W / 2}" y="${TOP - 24}" text-anchor="middle" font-weight="600">${esc(title)}</text>`];
  for (const v of ticks) {
    out.push(`<line x1="${x0 + 40}" x2="${x0 + PANEL_W}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${x0 + 34}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#6b7280">${esc(format(v))}</text>`);
  }
  const slot = (PANEL_W - 50) / values.length;
  values.forEach((v, i) => {
    const name = NAMES[i]!;
    const bx = x0 + 50 + i * slot + slot * 0.15;
    const bw = slot * 0.7;
    const top = y(v);
    out.push(`<rect x="${bx}" y="${top}" width="${bw}" height="${Math.max(0, base - top)}" fill="${COLORS[name]}"><title>${name}: ${esc(format(v))}</title></rect>`);
    out.push(`<text x="${bx + bw / 2}" y="${top - 5}" text-anchor="middle" font-size="12">${esc(format(v))}</text>`);
    out.push(`<text x="${bx + bw / 2}" y="${BOTTOM + 18}" text-anchor="middle" font-size="12">${name}</text>`);
  });
  return out.join('\n');
}

export function chartSvg(r: SuiteResult): string {
  const rps = NAMES.map((n) => r.targets[n].rps);
  const p99 = NAMES.map((n) => r.targets[n].latency.p99);
  const compact = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(Math.round(v) % 1000 === 0 ? 0 : 1)}k` : String(Math.round(v)));
  const label = `Relay benchmark: throughput and p99 latency of direct, floor, BFF and peer (${r.settings.connections} connections)`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}" font-family="system-ui, sans-serif" fill="#111827">
<title>${esc(label)}</title>
<rect width="${W}" height="${H}" fill="#ffffff"/>
${panel(20, 'Throughput, req/s (higher is better)', rps, linear(rps), compact)}
${panel(W / 2 + 20, 'p99 latency, ms, log scale (lower is better)', p99, logarithmic(p99), (v) => (Number.isInteger(v) || v >= 10 ? v.toFixed(0) : v.toFixed(v < 1 ? 2 : 1)))}
<text x="${W / 2}" y="${H - 14}" text-anchor="middle" font-size="11" fill="#6b7280">${esc(`${r.settings.connections} connections, median of ${r.settings.rounds} × ${r.settings.durationS} s rounds · ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node} · ${r.date.slice(0, 10)}`)}</text>
</svg>
`;
}
