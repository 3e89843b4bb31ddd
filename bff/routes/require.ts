import { Forbidden, StepUpRequired } from '../errors.ts';
import type { SessionData } from '../session/data.ts';

/**
 * A route's (or `requireUser`'s) requirements, judged against the session. Unmet `claims` and
 * `scopes` are a 403 `forbidden` with `missing`, never a 401: the user is signed in, and a 401
 * would send them round a login loop. Unmet `acr` / `maxAge` are a 401 `step_up_required`: a new
 * sign-in can meet those (RFC 9470).
 * @see CONTRACT.md, second part, "The routes table", `require`, and "Several providers, login parameters, step-up"
 */

export type ClaimValue = string | number | boolean;

export interface Requirements {
  /** `{ name: value }`: the claim equals `value` or, when an array, contains it; an array `value` means any one of them. Dotted names reach nested claims. */
  readonly claims?: Readonly<Record<string, ClaimValue | readonly ClaimValue[]>>;
  /** Every one must be granted to the access token. */
  readonly scopes?: readonly string[];
  /** The session's `acr` must be one of these. */
  readonly acr?: readonly string[];
  /** At most this many seconds since the user authenticated (`auth_time`). */
  readonly maxAge?: number;
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

export interface RequireContext {
  /** Epoch seconds. */
  readonly nowS: number;
  /** What the session's provider was asked for, when the token response did not say what it granted. */
  readonly defaultScopes: string;
  /** Where the step-up sign-in comes back to (a safe same-origin path). */
  readonly returnTo: string;
}

/**
 * The whole `require` evaluation, in one place for the relay and `requireUser`: claims and scopes
 * first (a stronger sign-in would not grant a missing role, so no pointless round trip), then the
 * authentication's strength (`acr`) and age (`auth_time`, or the session's start when the provider
 * sent none).
 * @throws Forbidden, StepUpRequired
 */
export function assertRequirements(req: Requirements, session: Pick<SessionData, 'user' | 'scope' | 'acr' | 'authTime' | 'createdAt'>, ctx: RequireContext): void {
  const missing = unmetRequirements(req, session.user, session.scope ?? ctx.defaultScopes);
  if (missing.length > 0) throw new Forbidden(missing);
  const ask: { acr_values?: string; max_age?: number } = {};
  if (req.acr !== undefined && req.acr.length > 0 && (session.acr === undefined || !req.acr.includes(session.acr))) ask.acr_values = req.acr.join(' ');
  if (req.maxAge !== undefined && ctx.nowS - (session.authTime ?? session.createdAt) > req.maxAge) ask.max_age = req.maxAge;
  if (ask.acr_values === undefined && ask.max_age === undefined) return;
  // Asking again for the acr too keeps a fresh sign-in from downgrading it.
  if (ask.max_age !== undefined && req.acr !== undefined && req.acr.length > 0) ask.acr_values = req.acr.join(' ');
  throw new StepUpRequired(ask, ctx.returnTo);
}
