// zod/mini: the SPA imports these schemas too, and classic zod would cost it ~23 KB gzipped.
import * as z from 'zod/mini';

/**
 * Every error the BFF itself makes is `application/problem+json` (RFC 9457) with one of these
 * stable `code` values. The SPA switches on them; never rename one, only add.
 */
export const PROBLEM_CODES = [
  'bad_request',
  'bad_path',
  'csrf',
  'unauthenticated',
  'session_expired',
  'invalid_sid',
  'method_not_allowed',
  'not_found',
  'too_many_requests',
  'payload_too_large',
  'uri_too_long',
  'login_failed',
  'provider_unavailable',
  'upstream_unavailable',
  'upstream_timeout',
  'upload_timeout',
  'unsupported_transfer_coding',
  'not_ready',
  'internal_error',
  'forbidden',
  'step_up_required',
  'invalid_token',
  'unknown_provider',
  'store_unavailable',
] as const;

/** One of `PROBLEM_CODES`: what a client switches on. */
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemSchema = z.object({
  type: z.optional(z.string()),
  title: z.string(),
  status: z.int(),
  detail: z.optional(z.string()),
  code: z.enum(PROBLEM_CODES),
  /** With `forbidden`: the claim names and scopes that were not met. */
  missing: z.optional(z.array(z.string())),
  /** With `step_up_required` (RFC 9470): what the sign-in must achieve, and where to start it. */
  acr_values: z.optional(z.string()),
  max_age: z.optional(z.int()),
  loginUrl: z.optional(z.string()),
});

/** A problem body as the BFF sends it (RFC 9457 members, plus `code` and the code-specific ones). */
export type Problem = z.infer<typeof problemSchema>;

/** Codes after which the SPA should offer to sign in again. */
export const SIGN_IN_AGAIN_CODES: ReadonlySet<ProblemCode> = new Set(['unauthenticated', 'session_expired']);
