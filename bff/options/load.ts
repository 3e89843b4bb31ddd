import { ConfigError } from './config-error.ts';
import { envLayer, envNameAt, ENV_ROUTE_PATH } from './env.ts';
import { jsonPath } from './expand.ts';
import { readConfigFile, validateFileOptions } from './file.ts';
import type { FileInput } from './file-schema.ts';
import { optionsSchema, type BffOptions } from './schema.ts';
import { routeKey } from '../routes/match.ts';

/**
 * The options from the environment and the configuration file, parsed once. Throws one
 * ConfigError naming every problem: by variable where the environment set it, else by JSON path.
 * The file is looked for when `BFF_CONFIG` is set or `cwd` is given (the server passes its working
 * directory; tests and embedders that pass neither get the environment alone).
 * @see CONTRACT.md, second part, "The configuration file"
 */
export function loadOptions(env: Readonly<Record<string, string | undefined>>, cwd?: string, given?: FileInput): BffOptions {
  // `given` is a configuration file's content handed over in code (the embedded demo, embedders).
  const fromFile = given ? validateFileOptions(given, env) : env.BFF_CONFIG || cwd !== undefined ? readConfigFile(env, cwd ?? process.cwd()) : undefined;
  const file = fromFile?.options ?? {};
  const fromEnv = envLayer(env, file.providers !== undefined && Object.keys(file.providers).length > 0);
  const where = given ? 'the given options' : fromFile?.file ? (env.BFF_CONFIG ? 'the BFF_CONFIG file' : 'bff.config.json') : '';
  const problems = [...(fromFile?.problems ?? [])];

  if (fromEnv.definesDefaultProvider && file.providers && Object.hasOwn(file.providers, 'default'))
    problems.push(`OIDC_ISSUER: the provider "default" is defined both by OIDC_* and in ${where} (providers.default); keep one`);
  if (fromEnv.definesRoute && file.apis?.some((r) => typeof r?.path === 'string' && routeKey(r.path) === ENV_ROUTE_PATH))
    problems.push(`API_UPSTREAM_URL: the route ${ENV_ROUTE_PATH} is defined both by API_UPSTREAM_URL and in ${where} (apis); keep one`);

  const fileApis = Array.isArray(file.apis) ? file.apis : [];
  const merged = {
    ...fromEnv.options,
    providers: { ...(file.providers ?? {}), ...fromEnv.options.providers },
    apis: [...fileApis, ...fromEnv.options.apis],
    deviceFlow: fromEnv.options.deviceFlow ?? file.deviceFlow,
  };
  const parsed = optionsSchema().safeParse(merged);
  if (parsed.success && problems.length === 0) return parsed.data;
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const name = envNameAt(issue.path as (string | number)[], fromEnv, fileApis.length);
    const message =
      issue.path.length === 1 && issue.path[0] === 'providers'
        ? 'is required, or providers in the config file (run `npm start` with neither for the embedded demo provider)'
        : issue.code === 'invalid_type' && /received undefined/.test(issue.message)
          ? 'is required'
          : issue.message;
    if (issue.code === 'unrecognized_keys') continue; // only the file can carry unknown keys, and its own parse named them
    const line = name ? `${name}: ${message}` : `${jsonPath(issue.path)}: ${message}`;
    // The file's own parse already named its field problems by the same path.
    if (!problems.includes(line)) problems.push(line);
  }
  throw new ConfigError(problems);
}
