import type { StepUpAsk } from '../oidc/login-params.ts';

/** The upstream asked for a stronger or more recent sign-in (RFC 9470 §3); api.ts turns it into `step_up_required`. */
export class UpstreamStepUpChallenge extends Error {
  readonly ask: StepUpAsk;
  constructor(ask: StepUpAsk) {
    super('The upstream asked for a step-up sign-in');
    this.ask = ask;
  }
}

// auth-param = token BWS "=" BWS ( token / quoted-string ), RFC 9110 §11.2
const PARAM = /([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z-]+))/g;
const ACR = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/**
 * What an upstream's `WWW-Authenticate: Bearer error="insufficient_user_authentication"` asks for:
 * `acr_values` and/or `max_age`; undefined for any other challenge. Values that could not travel in
 * a login URL and a challenge header of our own (quotes, spaces inside an acr, a non-number max_age)
 * are dropped; a challenge that then asks for nothing is still a step-up (a fresh sign-in).
 * @see RFC 9470 §3, RFC 6750 §3
 */
export function stepUpChallengeOf(header: string | string[] | undefined): StepUpAsk | undefined {
  for (const value of Array.isArray(header) ? header : header === undefined ? [] : [header]) {
    if (!/^\s*bearer\b/i.test(value) || value.length > 4096) continue;
    const params = new Map<string, string>();
    for (const m of value.matchAll(PARAM)) params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
    if (params.get('error') !== 'insufficient_user_authentication') continue;
    const ask: StepUpAsk = {};
    const acr = params.get('acr_values')?.split(' ').filter(Boolean);
    if (acr && acr.length > 0 && acr.length <= 10 && acr.every((a) => ACR.test(a))) ask.acr_values = acr.join(' ');
    const maxAge = params.get('max_age');
    if (maxAge !== undefined && /^(?:0|[1-9][0-9]{0,8})$/.test(maxAge)) ask.max_age = Number(maxAge);
    return ask;
  }
  return undefined;
}
