import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../bff/options/file.ts';
import { CONFIGURATION_DOC, JSON_SCHEMA_FILE, renderJsonSchema } from '../../bff/options/write-json-schema.ts';
import { renderConfigurationDoc } from '../../bff/options/docs.ts';

function dirWith(content?: string, name = 'bff.config.json'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bff-config-'));
  if (content !== undefined) writeFileSync(path.join(dir, name), content);
  return dir;
}

const notes = { path: '/api/notes', upstream: 'http://notes.internal:8080/v1' };

describe('the configuration file', () => {
  it('is optional: no BFF_CONFIG and no ./bff.config.json is no file and no problem', () => {
    expect(readConfigFile({}, dirWith())).toEqual({ file: undefined, options: {}, problems: [] });
  });

  it('reads ./bff.config.json, or the file BFF_CONFIG names, with defaults filled in', () => {
    const dir = dirWith(JSON.stringify({ apis: [notes] }));
    const result = readConfigFile({}, dir);
    expect(result.problems).toEqual([]);
    expect(result.file).toBe(path.join(dir, 'bff.config.json'));
    expect(result.options.apis).toEqual([{ ...notes, token: 'user' }]);
    const other = dirWith(JSON.stringify({ apis: [{ ...notes, token: 'none' }] }), 'custom.json');
    expect(readConfigFile({ BFF_CONFIG: 'custom.json' }, other).options.apis?.[0]?.token).toBe('none');
  });

  it('reports a BFF_CONFIG that names no file, and a file that is not JSON', () => {
    expect(readConfigFile({ BFF_CONFIG: 'missing.json' }, dirWith()).problems).toEqual([
      expect.stringMatching(/^BFF_CONFIG: the file .*missing\.json does not exist$/),
    ]);
    expect(readConfigFile({}, dirWith('{"apis": [')).problems).toEqual([expect.stringMatching(/^bff\.config\.json: .* is not valid JSON/)]);
  });

  it('names every bad field by its JSON path, in one list', () => {
    const file = {
      providers: { Default: { issuer: 'ftp://x', clientId: 'app', clientSecret: 's' }, ok: { issuer: 'https://idp', clientId: '', clientSecret: 's', scopes: 'profile' } },
      apis: [
        { path: '/apix', upstream: 'http://a' },
        { path: '/api/b', upstream: 'not a url', token: 'users', timeoutMs: -1 },
        { path: '/api/c', upstream: 'http://c', headers: { 'Bad Header': 'x', Authorization: 'y', 'X-Ok': 'a\r\nInjected: 1' } },
        { path: '/api/d', upstream: 'http://d', token: 'user', scope: 'x' },
        { path: '/api/D', upstream: 'http://d', colour: 'blue' },
      ],
    };
    const problems = readConfigFile({}, dirWith(JSON.stringify(file))).problems;
    for (const expected of [
      /^providers\.Default: provider names are lower-case/,
      /^providers\.ok\.clientId: /,
      /^providers\.ok\.scopes: must include openid$/,
      /^apis\[0\]\.path: must be \/api or start with \/api\//,
      /^apis\[1\]\.upstream: must be an http\(s\) URL$/,
      /^apis\[1\]\.token: /,
      /^apis\[1\]\.timeoutMs: /,
      /^apis\[2\]\.headers\.Bad Header: must be an HTTP header name$/,
      /^apis\[2\]\.headers\.Authorization: is set by the relay itself/,
      /^apis\[2\]\.headers\.X-Ok: must not contain line breaks or NUL$/,
      /^apis\[3\]\.token: scope and resource apply only to routes whose token is client or user-or-client$/,
      /^apis\[4\]\.colour: is not a known option$/,
    ]) {
      expect(problems.some((p) => expected.test(p)), `${expected} in\n${problems.join('\n')}`).toBe(true);
    }
  });

  it('refuses two routes with the same path (compared as matching compares them)', () => {
    const file = { apis: [notes, { path: '/api/Notes', upstream: 'http://other' }] };
    expect(readConfigFile({}, dirWith(JSON.stringify(file))).problems).toEqual(['apis[1].path: repeats the path of apis[0]']);
  });

  it('expands ${NAME} before validating, and names an unset variable by its JSON path', () => {
    const file = { apis: [{ ...notes, upstream: '${NOTES_URL}', headers: { 'Ocp-Apim-Subscription-Key': '${NOTES_KEY}' } }] };
    const dir = dirWith(JSON.stringify(file));
    const ok = readConfigFile({ NOTES_URL: 'http://notes:1/v1', NOTES_KEY: 'k' }, dir);
    expect(ok.problems).toEqual([]);
    expect(ok.options.apis?.[0]).toMatchObject({ upstream: 'http://notes:1/v1', headers: { 'Ocp-Apim-Subscription-Key': 'k' } });
    expect(readConfigFile({ NOTES_URL: 'nope' }, dir).problems).toEqual([
      'apis[0].headers.Ocp-Apim-Subscription-Key: the environment variable NOTES_KEY is not set',
      'apis[0].upstream: must be an http(s) URL',
    ]);
  });

  it('never echoes a secret value in a problem', () => {
    const file = { providers: { default: { issuer: 'https://idp', clientId: 'app', clientSecret: '${SECRET}', clientAuth: 'private_key_jwt' } } };
    const problems = readConfigFile({ SECRET: 'hunter2-very-secret' }, dirWith(JSON.stringify(file))).problems;
    expect(problems).toHaveLength(1);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('ships docs/bff.config.schema.json generated from the same schema (run `npm run schema` when this fails)', () => {
    expect(readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(renderJsonSchema());
  });
});

describe('docs/configuration.md', () => {
  it('is generated from the options tables (run `npm run schema` when this fails)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(renderConfigurationDoc());
  });
});
