import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Text formats worth compressing; images such as PNG are compressed already. */
export const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|xml|webmanifest|map)$/;

export interface CompressedFile {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
}

/** Both encodings at their highest level: this runs once per build, the bytes go out on every visit. */
export function compressBoth(source: Buffer): { gzip: Buffer; brotli: Buffer } {
  return {
    gzip: gzipSync(source, { level: 9 }),
    brotli: brotliCompressSync(source, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
      },
    }),
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/**
 * Writes `file.br` and `file.gz` beside every compressible file of the build, so the BFF can send
 * them as they are (bff/http/static.ts) instead of compressing on each request, or, as before,
 * not at all. A variant that would not be smaller is not written.
 */
export async function precompressDir(dir: string): Promise<CompressedFile[]> {
  const results: CompressedFile[] = [];
  for (const path of await filesUnder(dir)) {
    if (!COMPRESSIBLE.test(path)) continue;
    const source = await readFile(path);
    const { gzip, brotli } = compressBoth(source);
    if (gzip.length < source.length) await writeFile(`${path}.gz`, gzip);
    if (brotli.length < source.length) await writeFile(`${path}.br`, brotli);
    results.push({
      file: relative(dir, path).replaceAll('\\', '/'),
      raw: source.length,
      gzip: Math.min(gzip.length, source.length),
      brotli: Math.min(brotli.length, source.length),
    });
  }
  return results.sort((a, b) => a.file.localeCompare(b.file));
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

/** The build's report of what a browser actually downloads, per encoding. */
export function wireReport(files: CompressedFile[]): string {
  const sum = (pick: (f: CompressedFile) => number, only?: RegExp) =>
    files.filter((f) => !only || only.test(f.file)).reduce((total, f) => total + pick(f), 0);
  const js = /\.m?js$/;
  const lines = [
    'Bytes on the wire (precompressed; the BFF picks one by Accept-Encoding):',
    `  JS      ${kb(sum((f) => f.raw, js))} raw, ${kb(sum((f) => f.gzip, js))} gzip, ${kb(sum((f) => f.brotli, js))} brotli`,
    `  all     ${kb(sum((f) => f.raw))} raw, ${kb(sum((f) => f.gzip))} gzip, ${kb(sum((f) => f.brotli))} brotli`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Vite plugin: precompress the finished build and print the bytes on the wire. */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle(error?: Error) {
      // A failed build has nothing (or half of something) to compress; let its own error speak.
      if (error || !existsSync(outDir)) return;
      const files = await precompressDir(outDir);
      process.stdout.write(wireReport(files));
    },
  };
}
