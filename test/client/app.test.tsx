// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { alice, bob, ORIGIN, signedIn } from './support/bff.ts';
import { renderApp, setupClientTests } from './support/setup.tsx';

const t = setupClientTests();
const AVATAR = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E";

describe('routing', () => {
  it('navigates in-app through the header, marks the current page, and focuses its heading', async () => {
    const { user } = renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('Home');

    await user.click(screen.getByRole('link', { name: 'API panel' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'API panel' });
    expect(window.location.pathname).toBe('/api-panel');
    expect(document.activeElement).toBe(heading);
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('API panel');

    window.history.back();
    expect(await screen.findByRole('heading', { level: 1, name: 'Alice Example' })).toBeTruthy();
  });

  it('the signed-in home says what the role allows', async () => {
    renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    expect(screen.getByText(/signed in as an editor/).textContent).toMatch(/can read, add and delete/);
  });

  it('unknown paths get a not-found page with a way home, and no sign-in when signed in', async () => {
    const { user } = renderApp('/nope');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
    await screen.findByRole('navigation', { name: 'Main' });
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
    await user.click(screen.getByRole('link', { name: 'Go to the home page' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Alice Example' })).toBeTruthy();
  });

  it('offers a skip link to the main content', async () => {
    renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    expect(screen.getByRole('link', { name: 'Skip to content' }).getAttribute('href')).toBe('#main');
    expect(screen.getByRole('main').id).toBe('main');
  });
});

describe('signed out, at a deep link', () => {
  it('a 404 offers sign-in that comes back to the very address', async () => {
    t.bff.state.session = { authenticated: false };
    const { user } = renderApp('/reports/7?tab=2');
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Freports%2F7%3Ftab%3D2');
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
  });

  it.each([
    ['/profile', '%2Fprofile'],
    ['/api-panel?tab=notes', '%2Fapi-panel%3Ftab%3Dnotes'],
  ])('%s asks to sign in and returns there', async (path, returnTo) => {
    t.bff.state.session = { authenticated: false };
    const { user } = renderApp(path);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in required' })).toBeTruthy();
    expect(screen.getAllByRole('button', { name: /sign in/i })).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(t.assign).toHaveBeenCalledWith(`/auth/login?returnTo=${returnTo}`);
  });
});

describe('a sign-in cancelled at the provider', () => {
  it('is a neutral "Sign-in cancelled", not an error, with a way to sign in', async () => {
    t.bff.state.session = { authenticated: false };
    renderApp('/login-error?error=access_denied&error_description=End-User+aborted+the+sign-in');
    expect(screen.getByRole('heading', { level: 1, name: 'Sign-in cancelled' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.querySelector('.alert-error')).toBeNull();
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/auth/login?returnTo=%2F');
    expect(document.title).toBe('Sign-in cancelled · React BFF');
  });

  it('any other error is still a failure', () => {
    renderApp('/login-error?error=invalid_scope');
    expect(screen.getByRole('heading', { level: 1, name: 'Sign-in failed' })).toBeTruthy();
  });
});

describe('the user menu', () => {
  it('shows the picture and the name, and opens onto the profile and sign-out', async () => {
    t.bff.state.session = signedIn({ ...alice, picture: AVATAR });
    const { user } = renderApp('/');
    const button = await screen.findByRole('button', { name: /^Alice Example/ });
    expect(button.querySelector('img')?.getAttribute('src')).toBe(AVATAR);
    expect(button.querySelector('img')?.getAttribute('alt')).toBe('');
    expect(button.getAttribute('aria-expanded')).toBe('false');

    await user.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    await user.click(screen.getByRole('link', { name: 'Your profile' }));
    expect(window.location.pathname).toBe('/profile');
    const claims = await screen.findByRole('region', { name: 'Your claims' });
    expect(within(claims).getByText('alice-sub')).toBeTruthy();
    // Navigating closed the menu.
    expect(button.getAttribute('aria-expanded')).toBe('false');
  });

  it('closes on Escape and gives focus back to its button', async () => {
    const { user } = renderApp('/');
    const button = await screen.findByRole('button', { name: /^Alice Example/ });
    await user.click(button);
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('shows the initial instead of a picture it must not load', async () => {
    for (const picture of [undefined, 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>']) {
      t.bff.state.session = signedIn({ ...bob, ...(picture ? { picture } : {}) });
      const view = renderApp('/');
      const button = await screen.findByRole('button', { name: /^Bob Reader/ });
      expect(button.querySelector('img'), String(picture)).toBeNull();
      expect(button.textContent).toContain('B');
      view.unmount();
    }
  });
});

describe('focus never falls to <body>', () => {
  it('"Try again" that works moves focus to the heading of what replaced it', async () => {
    t.server.use(http.get(`${ORIGIN}/auth/session`, () => HttpResponse.error(), { once: true }));
    const { user } = renderApp('/');
    const retry = await screen.findByRole('button', { name: 'Try again' });
    await user.click(retry);
    const heading = await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
  });
});

describe('the profile', () => {
  it('shows the picture and lists a data: URL picture claim by its kind and size, not its bytes', async () => {
    const picture = `data:image/svg+xml,${'%3Csvg%3E'.repeat(20)}`;
    t.bff.state.session = signedIn({ ...alice, picture });
    renderApp('/profile');
    const claims = await screen.findByRole('region', { name: 'Your claims' });
    expect(within(claims).getByText(`data:image/svg+xml,… (${picture.length} characters)`)).toBeTruthy();
    expect(screen.getByRole('main').querySelector('img')?.getAttribute('src')).toBe(picture);
  });
});
