import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Lock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/**
 * The registry URL of a package's tarball. This project's lock leaves `resolved` out (npm's
 * `omit-lockfile-registry-resolved`), and without it `npm ci` asks the registry for metadata the
 * cache may not hold; with it, the tarball is found in the cache by its integrity.
 */
function registryTarball(path: string, entry: LockEntry): string {
  const name = typeof entry.name === 'string' ? entry.name : path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `https://registry.npmjs.org/${name}/-/${base}-${entry.version!}.tgz`;
}

/** Where Node would find `name` when required from the package installed at `from` (a lock path). */
function resolveFrom(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * A package-lock.json for a fresh consumer project: the tarball of this package plus `extra`
 * packages, each at the version this project's own lock pins, with every transitive dependency taken
 * from the same lock. With it, `npm ci --offline` installs from the local cache alone (npm's cache
 * holds the tarballs this project installed, not the registry's metadata that resolving would need).
 */
export function consumerLock(ownLockFile: string, tarball: { file: string; bytes: Buffer; manifest: { name: string; version: string; dependencies: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>; bin?: Record<string, string>; engines?: Record<string, string> } }, extra: readonly string[]) {
  const own = JSON.parse(readFileSync(ownLockFile, 'utf8')) as Lock;
  const picked = new Map<string, LockEntry>();
  const queue: string[] = [];
  const want = (from: string, name: string, optional: boolean) => {
    const path = resolveFrom(own.packages, from, name);
    if (path === undefined) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the consumer'}) is not in package-lock.json`);
    }
    if (!picked.has(path)) {
      picked.set(path, own.packages[path]!);
      queue.push(path);
    }
  };
  const { manifest } = tarball;
  for (const name of [...Object.keys(manifest.dependencies), ...extra]) want('', name, false);
  while (queue.length > 0) {
    const path = queue.shift()!;
    const entry = own.packages[path]!;
    for (const name of Object.keys(entry.dependencies ?? {})) want(path, name, false);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) want(path, name, true);
    for (const name of Object.keys(entry.peerDependencies ?? {})) want(path, name, entry.peerDependenciesMeta?.[name]?.optional === true);
  }

  const packages: Record<string, LockEntry> = {};
  const rootDeps: Record<string, string> = { [manifest.name]: `file:${tarball.file}` };
  for (const name of extra) rootDeps[name] = own.packages[`node_modules/${name}`]!.version!;
  packages[''] = { name: 'consumer', dependencies: rootDeps };
  packages[`node_modules/${manifest.name}`] = {
    version: manifest.version,
    resolved: `file:${tarball.file}`,
    integrity: `sha512-${createHash('sha512').update(tarball.bytes).digest('base64')}`,
    license: 'MIT',
    dependencies: manifest.dependencies,
    ...(manifest.bin ? { bin: manifest.bin } : {}),
    ...(manifest.engines ? { engines: manifest.engines } : {}),
    ...(manifest.peerDependencies ? { peerDependencies: manifest.peerDependencies, peerDependenciesMeta: manifest.peerDependenciesMeta } : {}),
  };
  for (const [path, entry] of [...picked].sort(([a], [b]) => a.localeCompare(b))) {
    // The consumer installs everything as a dependency: drop this project's dev/optional markers.
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    packages[path] = { ...rest, resolved: rest.resolved ?? registryTarball(path, rest) };
  }
  return { lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages }, dependencies: rootDeps };
}
