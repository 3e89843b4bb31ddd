import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expandEnvReferences, jsonPath } from './expand.ts';
import { fileSchemas, type FileOptions } from './file-schema.ts';

export const DEFAULT_CONFIG_FILE = 'bff.config.json';

export interface FileResult {
  /** The file read, or undefined when there is none (no `BFF_CONFIG`, no `./bff.config.json`). */
  readonly file: string | undefined;
  /** The file's options; on problems, its raw (expanded) content, so the merged parse still sees what it defines. */
  readonly options: FileOptions;
  /** `path: message` lines, each naming the JSON path (or the file) and why. */
  readonly problems: string[];
}

/**
 * Reads the configuration file: `BFF_CONFIG` when set (it must exist), else `bff.config.json` in
 * `cwd` when present. `${NAME}` references are expanded from `env` before validation, so a URL or
 * secret may come from the environment and is still checked.
 */
export function readConfigFile(env: Readonly<Record<string, string | undefined>>, cwd: string): FileResult {
  const named = env.BFF_CONFIG;
  const file = named ? path.resolve(cwd, named) : path.join(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    return { file: undefined, options: {}, problems: named ? [`BFF_CONFIG: the file ${file} does not exist`] : [] };
  }
  const where = named ? 'BFF_CONFIG' : DEFAULT_CONFIG_FILE;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { file, options: {}, problems: [`${where}: ${file} is not valid JSON (${(err as Error).message})`] };
  }
  return { ...validateFileOptions(json, env), file };
}

/** Expands `${NAME}` in a file's content and validates it; problems name JSON paths. */
export function validateFileOptions(json: unknown, env: Readonly<Record<string, string | undefined>>): FileResult {
  const expanded = expandEnvReferences(json, env);
  const parsed = fileSchemas().fileSchema.safeParse(expanded.value);
  const problems = [...expanded.problems];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = jsonPath(issue.path);
      // An unknown key is reported at its own path, so a typo names itself.
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) problems.push(`${jsonPath([...issue.path, key])}: is not a known option`);
      // A bad record key (a provider name, a header name) carries the key's own complaint inside.
      else if (issue.code === 'invalid_key') problems.push(`${at}: ${issue.issues[0]?.message ?? issue.message}`);
      else problems.push(`${at}: ${issue.message}`);
    }
  }
  const raw = (expanded.value !== null && typeof expanded.value === 'object' ? expanded.value : {}) as FileOptions;
  return { file: undefined, options: parsed.success ? parsed.data : raw, problems };
}

/**
 * Whether a provider is configured anywhere (`OIDC_ISSUER`, or `providers` in the file): the
 * embedded demo provider starts only when none is. A broken file counts as configured, so start-up
 * reports its problems instead of quietly running the demo.
 */
export function providerConfigured(env: Readonly<Record<string, string | undefined>>, cwd: string): boolean {
  if (env.OIDC_ISSUER) return true;
  const { file, options, problems } = readConfigFile(env, cwd);
  if (problems.length > 0) return true;
  return file !== undefined && Object.keys(options.providers ?? {}).length > 0;
}
