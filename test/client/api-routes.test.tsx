// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { bob, ORIGIN, problem, signedIn } from './support/bff.ts';
import { renderApp, setupClientTests } from './support/setup.tsx';

// The routes of the API panel (and of the signed-out home page): per route, who the API saw, and
// a 403 shown as "you don't have access to this", not as an error.

const t = setupClientTests();

/** The list item of one route, found by its heading. */
async function routeRow(path: string): Promise<HTMLElement> {
  const heading = await screen.findByRole('heading', { level: 3, name: path });
  return heading.closest('li')!;
}

async function call(user: ReturnType<typeof renderApp>['user'], path: string): Promise<HTMLElement> {
  const row = await routeRow(path);
  await user.click(within(row).getByRole('button', { name: `Call ${path}` }));
  await waitFor(() => expect(within(row).getByRole('status').textContent).not.toMatch(/^(Calling .*)?$/));
  return row;
}

const statusOf = (row: HTMLElement) => within(row).getByRole('status').textContent;

async function openPanel() {
  const app = renderApp('/api-panel');
  await screen.findByRole('heading', { level: 1, name: 'API panel' });
  return app;
}

describe('the routes, as alice (an editor)', () => {
  it('says who the API saw on each route: alice with her token, the app with its own, anonymous with none', async () => {
    const { user } = await openPanel();
    expect(statusOf(await call(user, '/api/notes'))).toBe('The API saw: alice.');
    expect(statusOf(await call(user, '/api/catalog'))).toBe('The API saw: the app.');
    expect(statusOf(await call(user, '/api/public'))).toBe('The API saw: anonymous.');
    expect(statusOf(await call(user, '/api/partner'))).toBe('The API saw: alice.');
    const reports = await call(user, '/api/reports');
    expect(statusOf(reports)).toBe('The API saw: alice.');
    expect(within(reports).getByLabelText('Response from /api/reports').textContent).toContain('Quarterly notes report');
  });

  it('shows nothing before a route is called', async () => {
    await openPanel();
    const row = await routeRow('/api/catalog');
    expect(statusOf(row)).toBe('');
    expect(within(row).queryByLabelText('Response from /api/catalog')).toBeNull();
  });
});

describe('the routes, as bob (a reader)', () => {
  it("shows the BFF's 403 forbidden on reports as no access, with what is missing, and no error", async () => {
    t.bff.state.session = signedIn(bob);
    const { user } = await openPanel();
    const reports = await call(user, '/api/reports');
    expect(statusOf(reports)).toBe("You don't have access to this.");
    expect(within(reports).getByText('Missing: roles.')).toBeTruthy();
    expect(within(reports).getByText(/The BFF decided/)).toBeTruthy();
    expect(within(reports).queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull();
    // The other routes still answer him.
    expect(statusOf(await call(user, '/api/catalog'))).toBe('The API saw: the app.');
    expect(statusOf(await call(user, '/api/notes'))).toBe('The API saw: bob.');
  });

  it("shows the API's own 403 the same calm way, with the API's reason", async () => {
    t.bff.state.session = signedIn(bob);
    t.server.use(
      http.get(`${ORIGIN}/api/notes`, () =>
        HttpResponse.json({ error: 'insufficient_scope', error_description: 'reading notes requires the reader role' }, { status: 403 }),
      ),
    );
    const { user } = await openPanel();
    const notes = await call(user, '/api/notes');
    expect(statusOf(notes)).toBe("You don't have access to this.");
    expect(within(notes).getByText('The API decided: reading notes requires the reader role')).toBeTruthy();
    expect(within(notes).queryByRole('alert')).toBeNull();
  });

  it('still shows a 403 that is not about access (CSRF) as an error', async () => {
    t.server.use(http.get(`${ORIGIN}/api/catalog`, () => problem(403, 'csrf', 'Forbidden', 'the X-CSRF header is missing')));
    const { user } = await openPanel();
    const catalog = await routeRow('/api/catalog');
    await user.click(within(catalog).getByRole('button', { name: 'Call /api/catalog' }));
    expect((await within(catalog).findByRole('alert')).textContent).toMatch(/Could not call \/api\/catalog/);
    expect(statusOf(catalog)).toBe('');
  });
});

describe('the routes, signed out (on the home page)', () => {
  it('answers the routes that need no user, and says which need one, without a session-ended banner', async () => {
    t.bff.state.session = { authenticated: false };
    const { user } = renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Welcome' });
    expect(statusOf(await call(user, '/api/public'))).toBe('The API saw: anonymous.');
    expect(statusOf(await call(user, '/api/catalog'))).toBe('The API saw: the app.');
    expect(statusOf(await call(user, '/api/partner'))).toBe('The API saw: anonymous.');
    const sessionReads = t.bff.state.sessionCalls;
    const reports = await call(user, '/api/reports');
    expect(statusOf(reports)).toBe('This route needs you signed in: the BFF sent nothing to the API.');
    expect(within(reports).queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull();
    expect(t.bff.state.sessionCalls).toBe(sessionReads);
  });
});

describe('the routes, when the session ended meanwhile', () => {
  it('raises the sign-in-again banner, as any other call would', async () => {
    const { user } = await openPanel();
    t.bff.state.apiProblem = { status: 401, code: 'session_expired', title: 'Session expired' };
    const row = await routeRow('/api/reports');
    await user.click(within(row).getByRole('button', { name: 'Call /api/reports' }));
    expect(await screen.findByRole('button', { name: 'Sign in again' })).toBeTruthy();
  });
});

describe('a route that needs a stronger sign-in (step-up)', () => {
  it('is followed: the browser goes to the loginUrl the BFF named, and the row says why', async () => {
    window.sessionStorage.clear();
    const loginUrl = '/auth/login?returnTo=%2Fapi-panel&acr_values=mfa';
    t.server.use(
      http.get(`${ORIGIN}/api/reports`, () =>
        HttpResponse.json(
          { title: 'Step-up required', status: 401, code: 'step_up_required', acr_values: 'mfa', loginUrl },
          { status: 401, headers: { 'content-type': 'application/problem+json' } },
        ),
      ),
    );
    const { user } = await openPanel();
    const row = await routeRow('/api/reports');
    await user.click(within(row).getByRole('button', { name: 'Call /api/reports' }));
    expect((await within(row).findByRole('alert')).textContent).toMatch(/stronger method: taking you there/);
    expect(t.assign).toHaveBeenCalledExactlyOnceWith(`${ORIGIN}${loginUrl}`);
    // Not a session that ended: no sign-in-again banner on top.
    expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull();
  });
});
