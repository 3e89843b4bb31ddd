import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../bff/config.ts';

/** The smallest environment with a provider and a session secret: what every config test starts from. */
export const MINIMAL_ENV = { OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'bff', OIDC_CLIENT_SECRET: 's3cret', SESSION_SECRET: 'x'.repeat(32) };

/** The problems of a configuration that must be refused (fails the test when it is accepted). */
export function problemsOf(env: Record<string, string>, options: Parameters<typeof loadConfig>[1] = {}): string[] {
  try {
    loadConfig(env, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
