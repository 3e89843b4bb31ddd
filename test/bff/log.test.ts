import { describe, expect, it } from 'vitest';
import { createLogger } from '../../bff/log.ts';

function capture() {
  const lines: string[] = [];
  const log = createLogger('debug', { write: (l: string) => void lines.push(l) });
  return { log, text: () => lines.join('') };
}

describe('the logger', () => {
  it('redacts authorization, cookie and set-cookie headers', () => {
    const { log, text } = capture();
    log.info({ req: { headers: { authorization: 'Bearer SECRET-AT', cookie: 'bff-session=SEALED' } }, res: { headers: { 'set-cookie': ['bff-session=SEALED2'] } } });
    log.info({ headers: { authorization: 'Bearer SECRET-AT2', cookie: 'c=SEALED3', 'set-cookie': 'x=SEALED4' } });
    expect(text()).not.toMatch(/SECRET-AT|SEALED/);
    expect(text()).toContain('[redacted]');
  });

  it('redacts token-endpoint shapes wherever they sit', () => {
    const { log, text } = capture();
    log.info({ tokens: { access_token: 'AT1', refresh_token: 'RT1', id_token: 'IDT1' }, body: { code_verifier: 'CV1', client_secret: 'CS1', token: 'T1' } });
    log.info({ access_token: 'AT2', refresh_token: 'RT2', id_token: 'IDT2' });
    expect(text()).not.toMatch(/AT1|RT1|IDT1|CV1|CS1|T1"|AT2|RT2|IDT2/);
  });

  it('keeps what helps diagnosis', () => {
    const { log, text } = capture();
    log.warn({ event: 'login_failed', reason: 'state mismatch', err: Object.assign(new Error('boom'), { code: 'E1' }) });
    expect(text()).toMatch(/login_failed/);
    expect(text()).toMatch(/state mismatch/);
    expect(text()).toMatch(/"code":"E1"/);
  });
});
