// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp, setupClientTests } from './support/setup.tsx';

setupClientTests();

describe('routing', () => {
  it('navigates in-app through the header, marks the current page, and focuses its heading', async () => {
    const { user } = renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('Profile');

    await user.click(screen.getByRole('link', { name: 'API panel' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'API panel' });
    expect(window.location.pathname).toBe('/api-panel');
    expect(document.activeElement).toBe(heading);
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('API panel');

    window.history.back();
    expect(await screen.findByRole('heading', { level: 1, name: 'Alice Example' })).toBeTruthy();
  });

  it('unknown paths get a not-found page with a way home', async () => {
    const { user } = renderApp('/nope');
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
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
