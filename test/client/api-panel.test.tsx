// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { bob, signedIn } from './support/bff.ts';
import { renderApp, setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

async function openPanel(path = '/api-panel') {
  const app = renderApp(path);
  await screen.findByRole('heading', { level: 1, name: 'API panel' });
  return app;
}

describe('/api/me', () => {
  it('shows what the API answers, only when asked', async () => {
    const { user } = await openPanel();
    expect(screen.queryByLabelText('Response from /api/me')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));
    const response = await screen.findByLabelText('Response from /api/me');
    expect(response.textContent).toContain('"sub": "alice-sub"');
    expect(response.textContent).toContain('notes:read');
  });
});

describe('notes', () => {
  it('shows loading, then the empty state', async () => {
    await openPanel();
    expect(await screen.findByText('No notes yet. Add the first one above.')).toBeTruthy();
  });

  it('creates a note from the form and clears the field', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    const input = screen.getByRole('textbox', { name: 'New note' });
    await user.type(input, 'Buy milk');
    await user.click(screen.getByRole('button', { name: 'Add note' }));

    const list = await screen.findByRole('list', { name: 'Notes' });
    expect(within(list).getByText('Buy milk')).toBeTruthy();
    expect((input as HTMLInputElement).value).toBe('');
    expect(t.bff.state.notes).toHaveLength(1);
  });

  it('submits with Enter and refuses an empty note', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    const input = screen.getByRole('textbox', { name: 'New note' });
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(screen.getByText('Write something first.')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(t.bff.state.notes).toHaveLength(0);

    await user.type(input, 'Typed then Enter{Enter}');
    expect(await screen.findByText('Typed then Enter')).toBeTruthy();
    expect(screen.queryByText('Write something first.')).toBeNull();
  });

  it('deletes a note', async () => {
    t.bff.state.notes = [
      { id: 'a', text: 'First', createdAt: '2030-01-01T00:00:00Z' },
      { id: 'b', text: 'Second', createdAt: '2030-01-01T00:00:00Z' },
    ];
    const { user } = await openPanel();
    const first = (await screen.findByText('First')).closest('li');
    if (!first) throw new Error('note is not in a list item');
    await user.click(within(first).getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(screen.queryByText('First')).toBeNull());
    expect(screen.getByText('Second')).toBeTruthy();
    expect(t.bff.state.notes.map((n) => n.id)).toEqual(['b']);
    // Focus does not fall to <body> when the focused button disappears.
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Notes' }));
  });

  it('a reader deleting gets a "not allowed" alert, and the app keeps working', async () => {
    t.bff.state.session = signedIn(bob);
    t.bff.state.notes = [{ id: 'a', text: 'Keep me', createdAt: '2030-01-01T00:00:00Z' }];
    const { user } = await openPanel();
    await user.click(await screen.findByRole('button', { name: 'Delete' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/not allowed/i);
    expect(screen.getByText('Keep me')).toBeTruthy();
    // No session banner for a plain 403: the session is fine.
    expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull();

    await user.type(screen.getByRole('textbox', { name: 'New note' }), 'Still works');
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(await screen.findByText('Still works')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));
    expect((await screen.findByLabelText('Response from /api/me')).textContent).toContain('bob-sub');
  });
});

describe('session ended during an API call', () => {
  it('shows a banner whose Sign in again returns to the current page', async () => {
    const { user } = await openPanel('/api-panel?tab=notes');
    await screen.findByText(/No notes yet/);
    const sessionCallsBefore = t.bff.state.sessionCalls;

    t.bff.state.apiProblem = { status: 401, code: 'session_expired', title: 'Session expired' };
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));

    const again = await screen.findByRole('button', { name: 'Sign in again' });
    expect(screen.getByText('Your session has expired.')).toBeTruthy();
    // The session query was invalidated and re-read.
    await waitFor(() => expect(t.bff.state.sessionCalls).toBeGreaterThan(sessionCallsBefore));

    await user.click(again);
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Fapi-panel%3Ftab%3Dnotes');
  });

  it('a failed mutation triggers the banner too', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    t.bff.state.apiProblem = { status: 401, code: 'unauthenticated', title: 'Not signed in' };
    await user.type(screen.getByRole('textbox', { name: 'New note' }), 'Lost');
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(await screen.findByRole('button', { name: 'Sign in again' })).toBeTruthy();
    expect(screen.getByText('You are no longer signed in.')).toBeTruthy();
  });

  it('when the session is really gone the screen falls back to its signed-out state, banner kept', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    t.bff.state.session = { authenticated: false };
    t.bff.state.apiProblem = { status: 401, code: 'session_expired', title: 'Session expired' };
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in required' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in again' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
  });
});

describe('upstream trouble', () => {
  it('a relay problem is shown as an alert with its title', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    t.bff.state.apiProblem = { status: 502, code: 'upstream_unavailable', title: 'Upstream unavailable' };
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Upstream unavailable');
    expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull();
  });
});
