import type { InteractionPolicy, interactionPolicy as InteractionPolicyModule } from 'oidc-provider';

/** Authentication classes of the demo provider: a password alone, or a password and a security key. */
export const ACR_PASSWORD = 'pwd';
export const ACR_MFA = 'mfa';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA];

/** What an `acr_values` request asks for, most preferred first (OIDC Core §3.1.2.1). */
export function requestedAcrs(params: Record<string, unknown>): string[] {
  return typeof params.acr_values === 'string' ? params.acr_values.split(' ').filter(Boolean) : [];
}

/**
 * oidc-provider's own policy, plus one check: a request whose `acr_values` asks only for `mfa`
 * while the provider's session has less shows the login page again (a step-up), instead of
 * answering at once with the weaker session. `max_age` is honoured by the base policy.
 * @see RFC 9470 §4
 */
export function stepUpPolicy(ip: typeof InteractionPolicyModule): InteractionPolicy {
  const policy = ip.base();
  policy.get('login')?.checks.add(
    new ip.Check('acr_not_met', 'The requested authentication class needs a new sign-in', ({ oidc }) => {
      const wanted = requestedAcrs(oidc.params);
      return wanted.length > 0 && !wanted.includes(oidc.acr ?? '') && wanted.includes(ACR_MFA) ? ip.Check.REQUEST_PROMPT : ip.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
