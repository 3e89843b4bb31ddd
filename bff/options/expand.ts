/**
 * `${NAME}` in any string of the configuration file is replaced by the environment variable `NAME`
 * at start-up, so secrets (client secrets, static header values) stay in the environment. An unset
 * (or empty) `NAME` is a configuration error naming the JSON path and the variable. `$${` writes a
 * literal `${`. `$comment` and `$schema` values are not expanded.
 * @see CONTRACT.md, second part, "The configuration file"
 */

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Expanded {
  readonly value: unknown;
  /** One line per problem: `path: message`. */
  readonly problems: string[];
}

/** A JSON path as users read it: `apis[0].headers.X-Key`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(file)' : out;
}

export function expandEnvReferences(input: unknown, env: Readonly<Record<string, string | undefined>>): Expanded {
  const problems: string[] = [];

  function expandString(s: string, path: PropertyKey[]): string {
    return s.replace(REFERENCE, (match, name: string | undefined) => {
      if (match === '$${') return '${';
      if (name === undefined || !NAME.test(name)) {
        problems.push(`${jsonPath(path)}: \`${match}\` is not a valid reference (use \${NAME} with letters, digits and _)`);
        return match;
      }
      const value = env[name];
      if (value === undefined || value === '') {
        problems.push(`${jsonPath(path)}: the environment variable ${name} is not set`);
        return match;
      }
      return value;
    });
  }

  function walk(value: unknown, path: PropertyKey[]): unknown {
    if (typeof value === 'string') return expandString(value, path);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      // `$comment` and `$schema` are prose and a file reference, never configuration: left as written.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$comment' || k === '$schema' ? v : walk(v, [...path, k])]));
    }
    return value;
  }

  return { value: walk(input, []), problems };
}
