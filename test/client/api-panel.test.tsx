// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { bob, signedIn } from './support/bff.ts';
import { renderApp, setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

const SHARED = [
  { id: 'a', text: 'First', author: 'alice', createdAt: '2030-01-01T00:00:00Z' },
  { id: 'b', text: 'Second', author: 'alice', createdAt: '2030-01-01T00:00:00Z' },
];

async function openPanel(path = '/api-panel') {
  const app = renderApp(path);
  await screen.findByRole('heading', { level: 1, name: 'API panel' });
  return app;
}

const notesStatus = () => within(screen.getByRole('region', { name: 'Shared notes' })).getByRole('status');

describe('/api/me', () => {
  it('shows what the API answers, only when asked, and announces it', async () => {
    const { user } = await openPanel();
    expect(screen.queryByLabelText('Response from /api/me')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));
    const response = await screen.findByLabelText('Response from /api/me');
    expect(response.textContent).toContain('"sub": "alice-sub"');
    expect(response.textContent).toContain('notes:read');
    const region = screen.getByRole('region', { name: 'You, as the API sees you' });
    expect(within(region).getByRole('status').textContent).toBe('The API answered.');
  });
});

describe('notes, as an editor', () => {
  it('lists the shared notes with their author', async () => {
    t.bff.state.notes = [...SHARED];
    await openPanel();
    const list = await screen.findByRole('list', { name: 'Notes' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(within(list).getAllByText(/by alice/)).toHaveLength(2);
  });

  it('shows the empty state', async () => {
    await openPanel();
    expect(await screen.findByText('No notes yet. Add the first one above.')).toBeTruthy();
  });

  it('creates a note from the form, clears the field and announces it', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    const input = screen.getByRole('textbox', { name: 'New note' });
    await user.type(input, 'Buy milk');
    await user.click(screen.getByRole('button', { name: 'Add note' }));

    const list = await screen.findByRole('list', { name: 'Notes' });
    expect(within(list).getByText('Buy milk')).toBeTruthy();
    expect((input as HTMLInputElement).value).toBe('');
    expect(t.bff.state.notes).toHaveLength(1);
    await waitFor(() => expect(notesStatus().textContent).toBe('Note added.'));
  });

  it('announces an empty note in a live region that was there before, and focuses the field', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    const input = screen.getByRole('textbox', { name: 'New note' });
    const form = input.closest('form')!;
    // The live region must exist before the message arrives, or screen readers miss it (WCAG 4.1.3).
    const live = form.querySelector<HTMLElement>('[aria-live="assertive"]')!;
    expect(live.textContent).toBe('');
    expect(screen.queryByRole('alert')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(live.textContent).toBe('Write something first.');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(live.id);
    expect(document.activeElement).toBe(input);
    expect(t.bff.state.notes).toHaveLength(0);

    await user.type(input, 'Typed then Enter{Enter}');
    expect(await screen.findByText('Typed then Enter')).toBeTruthy();
    expect(live.textContent).toBe('');
  });

  it('asks before deleting; "Keep" keeps the note and gives focus back to its Delete button', async () => {
    t.bff.state.notes = [...SHARED];
    const { user } = await openPanel();
    const first = (await screen.findByText('First')).closest('li')!;
    await user.click(within(first).getByRole('button', { name: 'Delete' }));

    const confirm = within(first).getByRole('group', { name: 'Delete this note?' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Keep' }));
    await user.click(within(confirm).getByRole('button', { name: 'Keep' }));
    expect(screen.getByText('First')).toBeTruthy();
    expect(document.activeElement).toBe(within(first).getByRole('button', { name: 'Delete' }));
    expect(t.bff.state.notes).toHaveLength(2);
  });

  it('deletes after confirmation, announces it, and keeps focus in the notes (not on <body>)', async () => {
    t.bff.state.notes = [...SHARED];
    const { user } = await openPanel();
    const first = (await screen.findByText('First')).closest('li')!;
    await user.click(within(first).getByRole('button', { name: 'Delete' }));
    await user.click(within(first).getByRole('button', { name: 'Yes, delete' }));

    await waitFor(() => expect(screen.queryByText('First')).toBeNull());
    expect(screen.getByText('Second')).toBeTruthy();
    expect(t.bff.state.notes.map((n) => n.id)).toEqual(['b']);
    await waitFor(() => expect(notesStatus().textContent).toBe('Note deleted.'));
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Shared notes' }));
  });
});

describe('notes, as a reader', () => {
  it('reads the shared notes with no form and no Delete', async () => {
    t.bff.state.session = signedIn(bob);
    t.bff.state.notes = [...SHARED];
    await openPanel();
    expect(await screen.findByText('First')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'New note' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add note' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.getByText(/Adding and deleting them is for editors/)).toBeTruthy();
  });

  it('a user whose role the app cannot tell gets the buttons, and the API’s refusal is explained', async () => {
    t.bff.state.session = signedIn({ sub: 'carol', name: 'Carol' });
    t.bff.state.notes = [{ id: 'a', text: 'Keep me', createdAt: '2030-01-01T00:00:00Z' }];
    const { user } = await openPanel();
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));

    const alert = await screen.findByRole('alert', {}, { timeout: 2000 });
    await waitFor(() => expect(alert.textContent).toMatch(/Not allowed: your account may not delete notes/));
    expect(screen.getByText('Keep me')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull();
  });
});

describe('session ended during an API call', () => {
  it('a failed mutation ends the session on screen too: one message, one sign-in button', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    t.bff.state.apiProblem = { status: 401, code: 'unauthenticated', title: 'Not signed in' };
    await user.type(screen.getByRole('textbox', { name: 'New note' }), 'Lost');
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'You are no longer signed in' })).toBeTruthy();
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: /sign in/i })).toHaveLength(1);
  });

  it('when the session is really gone: one message, one alert, one button, and focus on its heading', async () => {
    const { user } = await openPanel('/api-panel?tab=notes');
    await screen.findByText(/No notes yet/);
    t.bff.state.session = { authenticated: false };
    t.bff.state.apiProblem = { status: 401, code: 'session_expired', title: 'Session expired' };
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));

    const heading = await screen.findByRole('heading', { level: 1, name: 'Your session has expired' });
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: /sign in/i })).toHaveLength(1);
    expect(screen.queryByRole('button', { name: /^Alice Example/ })).toBeNull();
    // The focused "Call /api/me" button is gone; focus went to the new screen's heading.
    await waitFor(() => expect(document.activeElement).toBe(heading));

    await user.click(screen.getByRole('button', { name: 'Sign in again' }));
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Fapi-panel%3Ftab%3Dnotes');
  });
});

describe('upstream trouble', () => {
  it('a relay problem is shown as an alert with its title', async () => {
    const { user } = await openPanel();
    await screen.findByText(/No notes yet/);
    t.bff.state.apiProblem = { status: 502, code: 'upstream_unavailable', title: 'Upstream unavailable' };
    await user.click(screen.getByRole('button', { name: 'Call /api/me' }));
    await waitFor(() => expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('Upstream unavailable'))).toBe(true));
    expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull();
  });
});
