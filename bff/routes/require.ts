/**
 * A route's (or `requireUser`'s) `claims` and `scopes` requirements, judged against the session's
 * user and the scopes granted to its access token. Unmet requirements are a 403 `forbidden` with
 * `missing`, never a 401: the user is signed in, and a 401 would send them round a login loop.
 * @see CONTRACT.md, second part, "The routes table", `require`
 */

export type ClaimValue = string | number | boolean;

export interface Requirements {
  /** `{ name: value }`: the claim equals `value` or, when an array, contains it; an array `value` means any one of them. Dotted names reach nested claims. */
  readonly claims?: Readonly<Record<string, ClaimValue | readonly ClaimValue[]>>;
  /** Every one must be granted to the access token. */
  readonly scopes?: readonly string[];
}

/** A claim by dotted name (`realm_access.roles`); a claim whose own name contains a dot is found too. */
export function claimAt(user: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(user, name)) return user[name];
  let value: unknown = user;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function claimMeets(actual: unknown, wanted: ClaimValue | readonly ClaimValue[]): boolean {
  const anyOf: readonly ClaimValue[] = Array.isArray(wanted) ? wanted : [wanted as ClaimValue];
  // Only an array claim is searched: a string claim must equal the value (no splitting on spaces).
  const have: readonly unknown[] = Array.isArray(actual) ? actual : [actual];
  return anyOf.some((w) => have.some((h) => h === w));
}

/**
 * The names of the claims and the scopes that are not met; empty when every requirement holds.
 * `grantedScopes` is the token response's `scope` (or what was requested when it was omitted, RFC 6749 §5.1).
 */
export function unmetRequirements(req: Requirements, user: Readonly<Record<string, unknown>>, grantedScopes: string): string[] {
  const missing: string[] = [];
  for (const [name, wanted] of Object.entries(req.claims ?? {})) {
    if (!claimMeets(claimAt(user, name), wanted)) missing.push(name);
  }
  if (req.scopes && req.scopes.length > 0) {
    const granted = new Set(grantedScopes.split(' ').filter(Boolean));
    for (const scope of req.scopes) if (!granted.has(scope)) missing.push(scope);
  }
  return missing;
}
