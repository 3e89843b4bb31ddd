import { describe, expect, it } from 'vitest';
import { assertRequirements, claimAt, unmetRequirements } from '../../bff/routes/require.ts';
import { Forbidden, StepUpRequired } from '../../bff/errors.ts';

const alice = {
  sub: 'alice',
  roles: ['editor', 'reader'],
  department: 'sales',
  level: 3,
  verified: true,
  realm_access: { roles: ['admin'] },
  'https://example.com/tenant': 'acme',
};

describe('require: claims', () => {
  it('is met by an equal claim, an array claim that contains the value, or any one of several values', () => {
    expect(unmetRequirements({ claims: { department: 'sales' } }, alice, '')).toEqual([]);
    expect(unmetRequirements({ claims: { roles: 'editor' } }, alice, '')).toEqual([]);
    expect(unmetRequirements({ claims: { roles: ['admin', 'reader'] } }, alice, '')).toEqual([]);
    expect(unmetRequirements({ claims: { level: 3, verified: true } }, alice, '')).toEqual([]);
  });

  it('names each unmet claim in missing', () => {
    expect(unmetRequirements({ claims: { roles: 'admin', department: ['hr', 'it'], level: 3 } }, alice, '')).toEqual(['roles', 'department']);
  });

  it('reaches nested claims by dotted name, and claims whose own name has dots', () => {
    expect(unmetRequirements({ claims: { 'realm_access.roles': 'admin' } }, alice, '')).toEqual([]);
    expect(unmetRequirements({ claims: { 'realm_access.roles': 'editor' } }, alice, '')).toEqual(['realm_access.roles']);
    expect(unmetRequirements({ claims: { 'https://example.com/tenant': 'acme' } }, alice, '')).toEqual([]);
    expect(claimAt(alice, 'realm_access.missing.deeper')).toBeUndefined();
    expect(claimAt(alice, 'roles.length')).toBeUndefined();
  });

  it('never treats a missing claim, a different type or a substring as a match', () => {
    expect(unmetRequirements({ claims: { team: 'x' } }, alice, '')).toEqual(['team']);
    expect(unmetRequirements({ claims: { level: '3' } }, alice, '')).toEqual(['level']);
    expect(unmetRequirements({ claims: { department: 'sale' } }, alice, '')).toEqual(['department']);
    expect(unmetRequirements({ claims: { department: 'sales admin' } }, { sub: 'x', department: 'sales' }, '')).toEqual(['department']);
    // A space-separated string is one value, not a list.
    expect(unmetRequirements({ claims: { roles: 'admin' } }, { sub: 'x', roles: 'editor admin' }, '')).toEqual(['roles']);
  });

  it('cannot be met through the prototype chain', () => {
    expect(unmetRequirements({ claims: { 'constructor.name': 'Object' } }, alice, '')).toEqual(['constructor.name']);
    expect(unmetRequirements({ claims: { toString: 'x' } }, alice, '')).toEqual(['toString']);
  });
});

describe('require: scopes', () => {
  it('needs every scope among those granted', () => {
    expect(unmetRequirements({ scopes: ['notes:read', 'notes:write'] }, alice, 'openid notes:read notes:write')).toEqual([]);
    expect(unmetRequirements({ scopes: ['notes:read', 'notes:write'] }, alice, 'openid notes:read')).toEqual(['notes:write']);
    expect(unmetRequirements({ scopes: ['notes'] }, alice, 'notes:read')).toEqual(['notes']);
    expect(unmetRequirements({ scopes: ['notes:write'] }, alice, '')).toEqual(['notes:write']);
  });

  it('lists unmet claims and scopes together, and nothing when there is no requirement', () => {
    expect(unmetRequirements({ claims: { roles: 'admin' }, scopes: ['x'] }, alice, 'openid')).toEqual(['roles', 'x']);
    expect(unmetRequirements({}, alice, '')).toEqual([]);
  });
});

describe('assertRequirements: the one evaluation of require', () => {
  const ctx = { nowS: 10_000, defaultScopes: 'openid profile', returnTo: '/here' };
  const session = { user: alice, scope: 'openid notes:read', acr: 'pwd', authTime: 9_000, createdAt: 8_000 };

  it('passes when every requirement holds', () => {
    expect(() => assertRequirements({ claims: { department: 'sales' }, scopes: ['notes:read'], acr: ['pwd', 'mfa'], maxAge: 1000 }, session, ctx)).not.toThrow();
  });

  it('claims and scopes first: 403 forbidden even when the acr is unmet too', () => {
    try {
      assertRequirements({ claims: { roles: 'admin' }, acr: ['mfa'] }, session, ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(Forbidden);
    }
  });

  it('an unmet acr or maxAge is 401 step_up_required with what to ask and a loginUrl', () => {
    const thrown = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(StepUpRequired);
        return (err as StepUpRequired).members;
      }
      throw new Error('expected StepUpRequired');
    };
    expect(thrown(() => assertRequirements({ acr: ['mfa'] }, session, ctx))).toEqual({ acr_values: 'mfa', loginUrl: '/auth/login?acr_values=mfa&returnTo=%2Fhere' });
    expect(thrown(() => assertRequirements({ maxAge: 999 }, session, ctx))).toEqual({ max_age: 999, loginUrl: '/auth/login?max_age=999&returnTo=%2Fhere' });
    // A fresh sign-in for maxAge asks for the acr too, so it cannot downgrade the session.
    expect(thrown(() => assertRequirements({ acr: ['pwd'], maxAge: 10 }, session, ctx))).toMatchObject({ acr_values: 'pwd', max_age: 10 });
    // No acr at all is no acr.
    expect(thrown(() => assertRequirements({ acr: ['pwd'] }, { ...session, acr: undefined }, ctx))).toMatchObject({ acr_values: 'pwd' });
  });

  it('maxAge counts from the session start when the provider sent no auth_time', () => {
    expect(() => assertRequirements({ maxAge: 2000 }, { ...session, authTime: undefined }, ctx)).not.toThrow();
    expect(() => assertRequirements({ maxAge: 1999 }, { ...session, authTime: undefined }, ctx)).toThrow(StepUpRequired);
  });

  it("uses the session's granted scopes, else the provider's requested ones", () => {
    expect(() => assertRequirements({ scopes: ['profile'] }, { ...session, scope: undefined }, ctx)).not.toThrow();
    expect(() => assertRequirements({ scopes: ['profile'] }, session, ctx)).toThrow(Forbidden);
  });
});
