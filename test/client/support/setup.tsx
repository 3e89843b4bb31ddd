import { QueryClientProvider } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { cleanup, configure, render, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import type { MockInstance } from 'vitest';
import { BffProvider, createBffQueryClient } from '../../../client/bff/index.ts';
import { App } from '../../../client/App.tsx';
import { createBffMock } from './bff.ts';

// waitFor/findBy wait on events and return as soon as they hold; the longer ceiling (default 1 s)
// only matters on a loaded machine, where a render can take longer than that.
configure({ asyncUtilTimeout: 5_000 });

/**
 * Registers the per-file hooks every SPA test needs and hands back the mock BFF. Call once at the
 * top level of a test file.
 */
export function setupClientTests() {
  const bff = createBffMock();
  const server = setupServer(...bff.handlers);
  const initialState = structuredClone(bff.state);
  const ctx = { bff, server, assign: undefined as unknown as MockInstance<(url: string | URL) => void> };

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    Object.assign(bff.state, structuredClone(initialState));
    window.history.replaceState(null, '', '/');
    // Full-page navigations must not happen inside the test DOM; record them instead.
    ctx.assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  });
  afterEach(() => {
    cleanup();
    server.resetHandlers();
    vi.restoreAllMocks();
  });
  afterAll(() => server.close());

  return ctx;
}

/** A fresh client per test, without retries so failures surface at once. */
export function testQueryClient(): QueryClient {
  return createBffQueryClient({ defaultOptions: { queries: { retry: false } } });
}

export function renderApp(path = '/') {
  window.history.replaceState(null, '', path);
  const client = testQueryClient();
  const user = userEvent.setup();
  const view = render(
    <BffProvider client={client}>
      <App />
    </BffProvider>,
  );
  return { client, user, ...view };
}

/** Renders hooks (no screens) under a QueryClientProvider: the SPA's logic without its UI. */
export function renderWithClient<T>(hook: () => T, client: QueryClient = testQueryClient()) {
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  return { client, ...renderHook(hook, { wrapper }) };
}

/**
 * Renders hooks under `<BffProvider>`: what an app gets (cross-tab sync, clearing on user change,
 * silent sign-in when asked).
 */
export function renderWithBff<T>(hook: () => T, options: { client?: QueryClient; silentSignIn?: boolean } = {}) {
  const client = options.client ?? testQueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => (
    <BffProvider client={client} silentSignIn={options.silentSignIn}>
      {children}
    </BffProvider>
  );
  return { client, ...renderHook(hook, { wrapper }) };
}

/** What the browser fires when the user comes back to the tab; React Query's focus manager listens to it. */
export function returnToTab(): void {
  window.dispatchEvent(new Event('visibilitychange'));
}
