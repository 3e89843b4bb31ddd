import { describe, expect, it } from 'vitest';
import { expandEnvReferences, jsonPath } from '../../bff/options/expand.ts';

describe('${NAME} in the configuration file', () => {
  it('replaces references in every string, nested in objects and arrays', () => {
    const file = { providers: { default: { clientSecret: '${SECRET}' } }, apis: [{ headers: { 'X-Key': 'k-${KEY}-${KEY}' }, timeoutMs: 5 }] };
    const { value, problems } = expandEnvReferences(file, { SECRET: 's3', KEY: 'abc' });
    expect(problems).toEqual([]);
    expect(value).toEqual({ providers: { default: { clientSecret: 's3' } }, apis: [{ headers: { 'X-Key': 'k-abc-abc' }, timeoutMs: 5 }] });
  });

  it('names the JSON path and the variable of every unset or empty reference', () => {
    const file = { providers: { default: { clientSecret: '${NOPE}' } }, apis: [{}, { headers: { 'X-Key': '${EMPTY}' } }] };
    const { problems } = expandEnvReferences(file, { EMPTY: '' });
    expect(problems).toEqual([
      'providers.default.clientSecret: the environment variable NOPE is not set',
      'apis[1].headers.X-Key: the environment variable EMPTY is not set',
    ]);
  });

  it('refuses a malformed reference, and writes a literal ${ for $${', () => {
    expect(expandEnvReferences({ a: '${1X}' }, {}).problems).toEqual(['a: `${1X}` is not a valid reference (use ${NAME} with letters, digits and _)']);
    expect(expandEnvReferences({ a: 'cost: $${PRICE}' }, { PRICE: '9' }).value).toEqual({ a: 'cost: ${PRICE}' });
  });

  it('leaves $comment and $schema as written', () => {
    expect(expandEnvReferences({ $comment: 'set ${SECRET}', $schema: './${X}.json', a: { $comment: '${Y}' } }, {})).toEqual({
      value: { $comment: 'set ${SECRET}', $schema: './${X}.json', a: { $comment: '${Y}' } },
      problems: [],
    });
  });

  it('does not expand values that came from the environment a second time', () => {
    expect(expandEnvReferences({ a: '${A}' }, { A: '${B}', B: 'no' }).value).toEqual({ a: '${B}' });
  });

  it('keeps keys as data: no prototype pollution through __proto__', () => {
    const file = JSON.parse('{"__proto__": {"polluted": "${A}"}}') as unknown;
    const { value } = expandEnvReferences(file, { A: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
  });

  it('spells JSON paths as users read them', () => {
    expect(jsonPath(['apis', 0, 'require', 'claims', 'realm_access.roles'])).toBe('apis[0].require.claims.realm_access.roles');
    expect(jsonPath([])).toBe('(file)');
  });
});
