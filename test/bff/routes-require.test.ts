import { describe, expect, it } from 'vitest';
import { claimAt, unmetRequirements } from '../../bff/routes/require.ts';

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
