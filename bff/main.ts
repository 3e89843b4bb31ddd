#!/usr/bin/env node
/**
 * The standalone server's entry point: `node dist/bff/main.js`, the package's `react-bff` bin.
 * `npm run build` bundles this file with its dependencies into one file (build/bundle-server.mjs):
 * resolving and compiling hundreds of small modules was most of the start-up time.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { readEnvironment } from './config.ts';
import { runBff } from './standalone.ts';

/**
 * Run as a program (`node dist/bff/main.js`, or the package's `react-bff` bin, a symlink) rather than
 * imported: compared as file URLs of real paths, so a folder with a space or `%` in its name, or a
 * symlinked bin, is still recognised.
 */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void runBff(readEnvironment());
}
