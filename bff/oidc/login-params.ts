import { BadRequest } from '../errors.ts';

/** What a login asked the provider to achieve; kept in the transaction and checked at the callback. */
export interface StepUpAsk {
  /** Space-separated, in order of preference (OIDC Core §3.1.2.1). */
  acr_values?: string;
  max_age?: number;
}

/** The parameters `/auth/login` passes through, already validated. */
export interface LoginParams extends StepUpAsk {
  prompt?: string;
  login_hint?: string;
  ui_locales?: string;
}

const OWN = new Set(['returnTo', 'provider']);
const PROMPTS = new Set(['login', 'consent', 'select_account']);
// RFC 6749 §A.4-style tokens: printable ASCII without space, `"` and `\` (they also go into a challenge header).
const ACR = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const LOCALE = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;
const MAX_AGE = /^(?:0|[1-9][0-9]{0,8})$/;

function words(value: string, max: number, what: string): string[] {
  const list = value.split(' ');
  if (list.length > max || list.some((w) => w === '') || new Set(list).size !== list.length) throw new BadRequest(`${what} must be a space-separated list of distinct values.`);
  return list;
}

/**
 * `GET /auth/login`'s query: besides `returnTo` and `provider`, only the OIDC Core §3.1.2.1
 * parameters a SPA may choose (`prompt`, `max_age`, `acr_values`, `login_hint`, `ui_locales`),
 * each validated. Anything else, or an invalid value, is 400 `bad_request`: a parameter we do not
 * know could change the request the provider sees (`redirect_uri`, `scope`, `request`…).
 * @see OIDC Core §3.1.2.1
 */
export function loginParams(query: Readonly<Record<string, unknown>>): LoginParams {
  const out: LoginParams = {};
  for (const [name, raw] of Object.entries(query)) {
    if (OWN.has(name)) continue;
    if (typeof raw !== 'string') throw new BadRequest(`The login parameter "${name.slice(0, 40)}" is not allowed.`);
    switch (name) {
      case 'prompt': {
        // `none` stands alone (OIDC Core §3.1.2.1); the others combine.
        const list = raw === 'none' ? ['none'] : words(raw, 3, 'prompt');
        if (raw !== 'none' && !list.every((p) => PROMPTS.has(p))) throw new BadRequest('prompt must be none, or any of login, consent, select_account.');
        out.prompt = list.join(' ');
        break;
      }
      case 'max_age':
        if (!MAX_AGE.test(raw)) throw new BadRequest('max_age must be a whole number of seconds.');
        out.max_age = Number(raw);
        break;
      case 'acr_values':
        if (!words(raw, 10, 'acr_values').every((v) => ACR.test(v))) throw new BadRequest('acr_values must be space-separated acr values.');
        out.acr_values = raw;
        break;
      case 'login_hint':
        // eslint-disable-next-line no-control-regex
        if (raw.length === 0 || raw.length > 256 || /[\u0000-\u001f\u007f]/.test(raw)) throw new BadRequest('login_hint must be 1 to 256 printable characters.');
        out.login_hint = raw;
        break;
      case 'ui_locales':
        if (!words(raw, 10, 'ui_locales').every((v) => LOCALE.test(v))) throw new BadRequest('ui_locales must be space-separated language tags.');
        out.ui_locales = raw;
        break;
      default:
        throw new BadRequest(`The login parameter "${name.slice(0, 40)}" is not allowed.`);
    }
  }
  return out;
}
