import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bff/config.ts';
import { createProviderClient } from '../../bff/oidc/discovery.ts';
import { createBearerVerifier } from '../../bff/tokens/bearer.ts';
import { accessTokenAlgorithms } from '../../bff/tokens/bearer-jwt.ts';
import { InvalidToken, ProviderUnavailable } from '../../bff/errors.ts';
import { createMockIdp, DEFAULT_CLIENT, type MockIdp } from '../support/idp/index.ts';
import { fetchFromHandlers } from '../support/provider-fetch.ts';

/**
 * The bearer verifier alone, against the msw IdP kit: every token an attacker could present is
 * refused with InvalidToken (401 `invalid_token`), and valid ones give their claims and scopes.
 */

let idp: MockIdp;
let now = Date.now();
const clock = () => now;

function verifierFor(options: { jwksCooldownMs?: number } = {}) {
  const config = loadConfig({
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: DEFAULT_CLIENT.client_id,
    OIDC_CLIENT_SECRET: DEFAULT_CLIENT.client_secret,
    SESSION_SECRET: 'x'.repeat(32),
  });
  const { fetch, unhandled } = fetchFromHandlers(idp.handlers);
  const provider = createProviderClient(config, { fetch });
  const verifier = createBearerVerifier(config, {
    configuration: provider.configuration,
    fetch,
    clock,
    ...(options.jwksCooldownMs !== undefined ? { jwksCooldownMs: options.jwksCooldownMs } : {}),
  });
  return { verifier, unhandled };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => expect.fail('the token was accepted'), (err: unknown) => err);
}

beforeAll(async () => {
  idp = await createMockIdp({ accessTokenFormat: 'jwt' });
});
beforeEach(() => {
  idp.reset();
  now = Date.now();
});

describe('JWT access tokens (RFC 9068)', () => {
  it('accepts a token signed by the provider for our audience, with its claims and scopes', async () => {
    const { verifier } = verifierFor();
    const token = await idp.accessToken({ scope: 'openid reports:read', claims: { roles: ['auditor'] } });
    const verified = await verifier.verify(`Bearer ${token}`);
    expect(verified.token).toBe(token);
    expect(verified.claims).toMatchObject({ sub: 'alice', iss: idp.issuer, aud: DEFAULT_CLIENT.client_id, roles: ['auditor'] });
    expect(verified.scope).toBe('openid reports:read');
    expect(idp.calls.introspection).toBe(0);
  });

  it('checks the audience named by bearerAudience instead of the client id when it is set', async () => {
    const { verifier } = verifierFor();
    idp.settings.accessTokenAudience = 'https://api.example.test';
    const token = await idp.accessToken();
    expect(await refusal(verifier.verify(`Bearer ${token}`))).toBeInstanceOf(InvalidToken);
    // bearerAudience is a provider option of the config file: through loadConfig's file input.
    const config = loadConfig(
      { SESSION_SECRET: 'x'.repeat(32), IDP_SECRET: DEFAULT_CLIENT.client_secret },
      { file: { providers: { default: { issuer: idp.issuer, clientId: DEFAULT_CLIENT.client_id, clientSecret: '${IDP_SECRET}', bearerAudience: 'https://api.example.test' } } } },
    );
    expect(config.oidc.bearerAudience).toBe('https://api.example.test');
    const { fetch } = fetchFromHandlers(idp.handlers);
    const audienced = createBearerVerifier(config, { configuration: createProviderClient(config, { fetch }).configuration, fetch, clock });
    expect((await audienced.verify(`Bearer ${token}`)).claims.aud).toBe('https://api.example.test');
  });

  it.each(['bad_signature', 'expired', 'wrong_iss', 'wrong_aud', 'alg_none'] as const)('refuses a token with %s', async (fault) => {
    const { verifier } = verifierFor();
    const token = await idp.accessToken({ fault });
    const err = await refusal(verifier.verify(`Bearer ${token}`));
    expect(err).toBeInstanceOf(InvalidToken);
    expect((err as InvalidToken).headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('refuses an ID token presented as an access token (typ JWT, audience the client id)', async () => {
    // The same shape an ID token has: signed by the provider, aud = client id, typ JWT.
    const { verifier } = verifierFor();
    const token = await idp.accessToken({ fault: 'wrong_typ' });
    expect(await refusal(verifier.verify(`Bearer ${token}`))).toBeInstanceOf(InvalidToken);
  });

  it('refuses a sender-constrained (cnf) token sent as a plain bearer', async () => {
    const { verifier } = verifierFor();
    const token = await idp.accessToken({ claims: { cnf: { jkt: 'abc' } } });
    expect(await refusal(verifier.verify(`Bearer ${token}`))).toBeInstanceOf(InvalidToken);
  });

  it('does not refetch the JWKS for an unknown kid within the cooldown, and refuses it', async () => {
    const { verifier } = verifierFor();
    await verifier.verify(`Bearer ${await idp.accessToken()}`);
    expect(idp.calls.jwks).toBe(1);
    expect(await refusal(verifier.verify(`Bearer ${await idp.accessToken({ fault: 'unknown_kid' })}`))).toBeInstanceOf(InvalidToken);
    expect(idp.calls.jwks).toBe(1);
  });

  it('refetches the JWKS once for an unknown kid: a rotated key is found, a stranger still refused', async () => {
    const { verifier } = verifierFor({ jwksCooldownMs: 0 });
    await verifier.verify(`Bearer ${await idp.accessToken()}`);
    expect(idp.calls.jwks).toBe(1);
    await idp.rotateSigningKey();
    const rotated = await idp.accessToken();
    expect((await verifier.verify(`Bearer ${rotated}`)).token).toBe(rotated);
    expect(idp.calls.jwks).toBe(2);
    expect(await refusal(verifier.verify(`Bearer ${await idp.accessToken({ fault: 'unknown_kid' })}`))).toBeInstanceOf(InvalidToken);
    expect(idp.calls.jwks).toBe(3);
    // The JWKS is cached: a known key needs no fetch.
    await verifier.verify(`Bearer ${await idp.accessToken()}`);
    expect(idp.calls.jwks).toBe(3);
  });

  it('takes algorithms from id_token_signing_alg_values_supported, never none or a symmetric one', () => {
    expect(accessTokenAlgorithms({ id_token_signing_alg_values_supported: ['none', 'HS256', 'RS256', 'ES256', 'PS384', 'EdDSA'] })).toEqual(['RS256', 'ES256', 'PS384', 'EdDSA']);
    expect(accessTokenAlgorithms({})).toEqual(['RS256']);
  });
});

describe('opaque access tokens (RFC 7662 introspection)', () => {
  it('accepts an active token by introspection and caches the answer for at most 60 s', async () => {
    const { verifier } = verifierFor();
    const token = await idp.accessToken({ format: 'opaque', scope: 'openid reports:read' });
    const verified = await verifier.verify(`Bearer ${token}`);
    expect(verified.claims).toMatchObject({ active: true, sub: 'alice' });
    expect(verified.scope).toBe('openid reports:read');
    await verifier.verify(`Bearer ${token}`);
    expect(idp.calls.introspection).toBe(1);
    now += 59_000;
    await verifier.verify(`Bearer ${token}`);
    expect(idp.calls.introspection).toBe(1);
    now += 2_000;
    await verifier.verify(`Bearer ${token}`);
    expect(idp.calls.introspection).toBe(2);
  });

  it('never trusts a cached answer past the token\'s exp', async () => {
    idp.settings.accessTokenTtl = 20;
    const { verifier } = verifierFor();
    const token = await idp.accessToken({ format: 'opaque' });
    await verifier.verify(`Bearer ${token}`);
    now += 21_000;
    // Past exp the provider is asked again; the kit still says active (its clock did not move), but it was asked.
    await verifier.verify(`Bearer ${token}`).catch(() => undefined);
    expect(idp.calls.introspection).toBe(2);
  });

  it('one introspection for concurrent requests with one token', async () => {
    const { verifier } = verifierFor();
    const token = await idp.accessToken({ format: 'opaque' });
    await Promise.all(Array.from({ length: 5 }, () => verifier.verify(`Bearer ${token}`)));
    expect(idp.calls.introspection).toBe(1);
  });

  it('refuses an unknown token, a revoked-looking (inactive) one, and one for another audience or bound to a key', async () => {
    const { verifier } = verifierFor();
    expect(await refusal(verifier.verify('Bearer at_unknown-token'))).toBeInstanceOf(InvalidToken);
    const token = await idp.accessToken({ format: 'opaque' });
    idp.settings.accessTokenAudience = 'someone-else';
    expect(await refusal(verifier.verify(`Bearer ${token}`))).toBeInstanceOf(InvalidToken);
    idp.settings.accessTokenAudience = undefined;
    idp.settings.introspectionClaims = { cnf: { 'x5t#S256': 'abc' } };
    const bound = await idp.accessToken({ format: 'opaque' });
    expect(await refusal(verifier.verify(`Bearer ${bound}`))).toBeInstanceOf(InvalidToken);
  });

  it('refuses an opaque token when the provider offers no introspection, without calling anything', async () => {
    const bare = await createMockIdp({ issuer: 'https://bare.example.test', introspection: false });
    const config = loadConfig({ OIDC_ISSUER: bare.issuer, OIDC_CLIENT_ID: DEFAULT_CLIENT.client_id, OIDC_CLIENT_SECRET: DEFAULT_CLIENT.client_secret, SESSION_SECRET: 'x'.repeat(32) });
    const { fetch, unhandled } = fetchFromHandlers(bare.handlers);
    const verifier = createBearerVerifier(config, { configuration: createProviderClient(config, { fetch }).configuration, fetch, clock });
    expect(await refusal(verifier.verify(`Bearer ${await bare.accessToken({ format: 'opaque' })}`))).toBeInstanceOf(InvalidToken);
    expect(unhandled).toEqual([]);
  });

  it('a JWKS that cannot be fetched is a 503, not a 401', async () => {
    for (const fault of ['network', 'server_error'] as const) {
      const { verifier } = verifierFor();
      idp.faults.jwks = fault;
      expect(await refusal(verifier.verify(`Bearer ${await idp.accessToken()}`))).toBeInstanceOf(ProviderUnavailable);
    }
  });

  it('a provider that cannot be reached is a 503, not a 401', async () => {
    idp.faults.discovery = 'network';
    const { verifier } = verifierFor();
    expect(await refusal(verifier.verify('Bearer at_whatever'))).toBeInstanceOf(ProviderUnavailable);
  });
});

describe('what is not a bearer token', () => {
  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0'],
    ['an empty token', 'Bearer '],
    ['two tokens', 'Bearer abc def'],
    ['characters outside b64token', 'Bearer abc$<script>'],
    ['a JWS that is not JSON', 'Bearer aaaa.bbbb.cccc'],
    ['a huge token', `Bearer ${'a'.repeat(20_000)}`],
  ])('refuses %s with invalid_token and asks the provider nothing for it', async (_name, header) => {
    const { verifier } = verifierFor();
    expect(await refusal(verifier.verify(header))).toBeInstanceOf(InvalidToken);
    expect(idp.calls.introspection).toBe(0);
  });
});
