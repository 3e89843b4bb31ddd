// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp, setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

function loginErrorPath(params: Record<string, string>) {
  return `/login-error?${new URLSearchParams(params).toString()}`;
}

describe('login error page', () => {
  it('shows the provider error and its description, and a Try again link', async () => {
    t.bff.state.session = { authenticated: false };
    renderApp(loginErrorPath({ error: 'invalid_scope', error_description: 'The scope is not supported.' }));

    expect(screen.getByRole('heading', { level: 1, name: 'Sign-in failed' })).toBeTruthy();
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('invalid_scope');
    expect(alert.textContent).toContain('The scope is not supported.');
    expect(screen.getByRole('link', { name: 'Try again' }).getAttribute('href')).toBe('/auth/login?returnTo=%2F');
    // The page itself must not offer a second, conflicting sign-in button.
    await screen.findByRole('link', { name: 'Back to the home page' });
  });

  it('treats the query string as text, never as HTML', () => {
    const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    renderApp(loginErrorPath({ error: evil, error_description: `<script>alert(1)</script>${evil}` }));

    const alert = screen.getByRole('alert');
    expect(alert.querySelector('img, script, b')).toBeNull();
    expect(alert.textContent).toContain('<img src=x onerror="window.__pwned=1">');
    expect(alert.textContent).toContain('<script>alert(1)</script>');
  });

  it("shows the BFF's hint (what to change) as text, beside the cause", () => {
    const hint = 'Register exactly http://localhost:3000/auth/callback as a redirect URI. <b>x</b>';
    renderApp(loginErrorPath({ error: 'invalid_request', error_description: 'The provider did not accept the redirect URI.', hint }));
    expect(screen.getByRole('alert').textContent).toContain('did not accept the redirect URI');
    const shown = screen.getByText(/Register exactly/);
    expect(shown.textContent).toBe(`What to do: ${hint}`);
    expect(shown.querySelector('b')).toBeNull();
  });

  it('copes with no parameters at all', () => {
    renderApp('/login-error');
    expect(screen.getByRole('alert').textContent).toContain('unknown_error');
  });

  it('caps absurdly long parameters', () => {
    renderApp(loginErrorPath({ error: 'x', error_description: 'y'.repeat(5000) }));
    expect((screen.getByRole('alert').textContent ?? '').length).toBeLessThan(500);
  });
});
