// `npm run build`, after tsc: dist/bff/main.js (the standalone server, the package's bin) becomes one
// ES module holding the BFF and its dependencies. Node then reads and compiles one file instead of
// resolving ~300 (express's dependencies alone are ~60 packages): the start-up time halves
// (`npm run bench -- --startup`). What is loaded only on demand (node-redis with REDIS_URL,
// prom-client with METRICS_PORT) is split into chunks under dist/bff/chunks/: V8 pre-parses a whole
// script, so code in main.js costs memory even when it never runs. The plugins keep more of that out
// (build/bundle-plugins.mjs). The library (dist/bff/index.js) stays unbundled, for the host app's own
// bundler and dependency tree.
import { build } from 'esbuild';
import { banner, loadedOnFirstUse, undiciPoolOnly } from './bundle-plugins.mjs';

const outdir = new URL('../dist/bff/', import.meta.url).pathname;

await build({
  entryPoints: [new URL('../bff/main.ts', import.meta.url).pathname],
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  banner: { js: banner },
  // Minified: V8 keeps every module's source text in memory; this saves ~4 MiB of idle RSS.
  // keepNames: error classes take their `name` from the class (logs and problem mapping read it).
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [undiciPoolOnly, loadedOnFirstUse(outdir, ['iconv-lite', 'mime-types', 'qs'])],
});
