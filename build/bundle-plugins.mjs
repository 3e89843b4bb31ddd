// esbuild plugins for the standalone bundle (build/bundle-server.mjs). Both keep code that an idle
// server never runs out of dist/bff/main.js: V8 holds a script's whole source and pre-parses it, so
// every such byte costs start-up time and resident memory (`npm run bench -- --startup`).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';

/**
 * Every output file starts with this: express and friends are CommonJS and `require()` Node's
 * built-ins, so the ES module needs a require, relative to the file itself. `__bffRequire` is the
 * same function under a name esbuild leaves alone (see loadedOnFirstUse).
 */
export const banner = "import { createRequire as __bffCreateRequire } from 'node:module';\nconst __bffRequire = __bffCreateRequire(import.meta.url), require = __bffRequire;";

/**
 * `import { Pool } from 'undici'` bundles only undici's Pool. undici is CommonJS, so esbuild cannot
 * tree-shake it: the package entry would put all of undici (fetch, WebSocket, mocks, cache; 540 KB)
 * into main.js for the one class the relay uses. The shim re-exports the same class from undici's own
 * file, so behaviour is unchanged; importing anything else from 'undici' fails the build with
 * "No matching export", which is the cue to add it here. The library (dist/bff/index.js) is not
 * bundled and imports undici as usual.
 */
export const undiciPoolOnly = {
  name: 'undici-pool-only',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, async (args) => {
      if (args.pluginData === 'undici-pool-only') return undefined;
      const entry = await b.resolve('undici', { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'undici-pool-only' });
      if (entry.errors.length > 0) return { errors: entry.errors };
      return { path: join(dirname(entry.path), 'lib/dispatcher/pool.js'), namespace: 'undici-pool-only' };
    });
    b.onLoad({ filter: /.*/, namespace: 'undici-pool-only' }, (args) => ({
      contents: `import Pool from ${JSON.stringify(args.path)};\nexport { Pool };\n`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * CommonJS packages that express's dependencies `require()` at start-up but that only some requests
 * use: iconv-lite (body decoding for `express.urlencoded`, 480 KB of code tables), qs (parsing those
 * bodies; with its helpers it builds tables as it loads) and mime-types (its database, 150 KB of JSON
 * turned into maps as the module loads, for `res.type` and static files).
 * Each is bundled on its own into `chunks/<name>.cjs`, and main.js gets a stand-in whose first
 * property read `require()`s that chunk. The packages' callers read their functions only when a
 * request comes, so an idle server never loads them.
 *
 * @param {string} outdir where main.js goes (the chunks go under its `chunks/`)
 * @param {string[]} names bare package names
 */
export function loadedOnFirstUse(outdir, names) {
  const pattern = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})$`);
  /** @type {Map<string, string>} package name → the file every importer resolved it to */
  const resolved = new Map();
  return {
    name: 'loaded-on-first-use',
    setup(b) {
      b.onResolve({ filter: pattern }, async (args) => {
        if (args.pluginData === 'loaded-on-first-use') return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'loaded-on-first-use' });
        if (real.errors.length > 0) return { errors: real.errors };
        const before = resolved.get(args.path);
        // One chunk per package: two versions of it in the tree would need two, and silently picking one would change behaviour.
        if (before !== undefined && before !== real.path) return { errors: [{ text: `${args.path} resolves to two files (${before} and ${real.path}); loadedOnFirstUse handles one version per package` }] };
        resolved.set(args.path, real.path);
        return { path: args.path, namespace: 'loaded-on-first-use' };
      });
      b.onLoad({ filter: /.*/, namespace: 'loaded-on-first-use' }, (args) => ({
        // __bffRequire is the banner's, relative to the output file the stand-in lands in (onEnd checks
        // that is main.js). Not `require`: esbuild routes that through its runtime helper, which may
        // live in a chunk under chunks/.
        contents: [
          'let real;',
          `const load = () => (real ??= __bffRequire(${JSON.stringify(`./chunks/${args.path}.cjs`)}));`,
          'module.exports = new Proxy({}, {',
          '  get: (_, key) => load()[key],',
          '  has: (_, key) => key in load(),',
          '  set: (_, key, value) => ((load()[key] = value), true),',
          '});',
        ].join('\n'),
        loader: 'js',
      }));
      b.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        const main = Object.entries(result.metafile?.outputs ?? {}).find(([file]) => file.endsWith('/main.js'))?.[1];
        for (const name of resolved.keys()) {
          if (!main?.inputs[`loaded-on-first-use:${name}`]) return { errors: [{ text: `the stand-in for ${name} is not in main.js, so its ./chunks/${name}.cjs path would be wrong (needs metafile: true)` }] };
        }
        await Promise.all([...resolved].map(([name, file]) => build({
          entryPoints: [file],
          outfile: join(outdir, 'chunks', `${name}.cjs`),
          bundle: true,
          platform: 'node',
          format: 'cjs',
          target: b.initialOptions.target,
          minify: true,
          legalComments: 'none',
          logLevel: 'warning',
        })));
      });
    },
  };
}
