import { describe, expect, it } from 'vitest';
import { stepUpChallengeOf } from '../../bff/relay/step-up-challenge.ts';

describe('stepUpChallengeOf (RFC 9470 §3 challenges from an upstream)', () => {
  it('reads acr_values and max_age, quoted or as tokens, in any order and case of the scheme', () => {
    expect(stepUpChallengeOf('Bearer error="insufficient_user_authentication", acr_values="mfa hwk", max_age="60"')).toEqual({ acr_values: 'mfa hwk', max_age: 60 });
    expect(stepUpChallengeOf('bearer max_age=0, error=insufficient_user_authentication')).toEqual({ max_age: 0 });
    expect(stepUpChallengeOf('BEARER realm="x", error="insufficient_user_authentication"')).toEqual({});
  });

  it('finds the Bearer challenge among several header lines', () => {
    expect(stepUpChallengeOf(['Basic realm="x"', 'Bearer error="insufficient_user_authentication", acr_values="mfa"'])).toEqual({ acr_values: 'mfa' });
  });

  it('ignores every other challenge', () => {
    expect(stepUpChallengeOf(undefined)).toBeUndefined();
    expect(stepUpChallengeOf('Bearer error="invalid_token"')).toBeUndefined();
    expect(stepUpChallengeOf('Basic error="insufficient_user_authentication"')).toBeUndefined();
    expect(stepUpChallengeOf('Bearer error_description="insufficient_user_authentication"')).toBeUndefined();
  });

  it('drops values that could not travel in a login URL and our own challenge', () => {
    expect(stepUpChallengeOf('Bearer error="insufficient_user_authentication", acr_values="a\\"b", max_age="-5"')).toEqual({});
    expect(stepUpChallengeOf('Bearer error="insufficient_user_authentication", max_age="1e3"')).toEqual({});
  });
});
