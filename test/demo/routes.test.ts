import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from '../../demo/stack.ts';

// The embedded default's routes table as configured (what each route answers: stack-routes.test.ts).

const started: EmbeddedStack[] = [];
afterAll(() => Promise.all(started.map((s) => s.close())));

async function start(env: Record<string, string> = {}): Promise<EmbeddedStack> {
  const stack = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent', ...env });
  started.push(stack);
  return stack;
}

const summary = (stack: EmbeddedStack) =>
  Object.fromEntries(stack.config.routes.map((r) => [r.path, { upstream: r.upstream.href, token: r.token, scope: r.scope, resource: r.resource, require: r.require }]));

describe('the embedded default’s routes', () => {
  it('shows every kind of route against the demo API, with a subscription key made for this run', async () => {
    const [one, two] = await Promise.all([start(), start()]);
    const api = one.api.url;
    expect(summary(one)).toEqual({
      '/api/notes': { upstream: `${api}/notes`, token: 'user' },
      '/api/catalog': { upstream: `${api}/catalog`, token: 'client', scope: 'catalog:read', resource: 'urn:demo-api' },
      '/api/public': { upstream: `${api}/public`, token: 'none' },
      '/api/partner': { upstream: `${api}/partner`, token: 'user-optional' },
      '/api/reports': { upstream: `${api}/reports`, token: 'user', require: { claims: { roles: 'editor' } } },
      '/api/audit': { upstream: `${api}/audit`, token: 'user', require: { acr: ['mfa'] } },
      '/api': { upstream: `${api}/`, token: 'user' },
    });
    const key = (s: EmbeddedStack) => s.config.routes.find((r) => r.path === '/api/partner')?.headers?.['x-demo-subscription-key'];
    expect(key(one)).toMatch(/^[\w-]{32}$/);
    expect(key(two)).toMatch(/^[\w-]{32}$/);
    expect(key(one)).not.toBe(key(two));
  });

  it('lets API_UPSTREAM_URL define /api, once, and keeps the demo routes', async () => {
    const stack = await start({ API_UPSTREAM_URL: 'http://127.0.0.1:9/v1' });
    const routes = summary(stack);
    expect(routes['/api']).toEqual({ upstream: 'http://127.0.0.1:9/v1', token: 'user' });
    expect(stack.config.routes.filter((r) => r.path === '/api')).toHaveLength(1);
    expect(routes['/api/catalog']?.upstream).toBe(`${stack.api.url}/catalog`);
  });

  it('generates the subscription key itself, whatever DEMO_SUBSCRIPTION_KEY the environment holds', async () => {
    const stack = await start({ DEMO_SUBSCRIPTION_KEY: 'from-the-environment' });
    expect(stack.config.routes.find((r) => r.path === '/api/partner')?.headers?.['x-demo-subscription-key']).not.toBe('from-the-environment');
  });
});
