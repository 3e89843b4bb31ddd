/**
 * The routes of the embedded default (demo/routes.ts), as the panel offers them. A BFF configured
 * for other APIs answers 404 on these, which the panel shows like any other failure.
 */
export interface DemoRoute {
  path: string;
  /** What goes upstream with the call, in a few words. */
  token: string;
  /** Who may call it and what to expect. */
  about: string;
}

export const DEMO_ROUTES: readonly DemoRoute[] = [
  { path: '/api/notes', token: 'your access token', about: 'Everyone signed in reads the shared notes; the demo API lets editors write.' },
  { path: '/api/catalog', token: "the app's own token (client credentials)", about: 'The BFF calls with its own token, signed in or not: the API sees the app, not you.' },
  { path: '/api/public', token: 'no token', about: 'The BFF sends no Authorization header at all; the API says whether one arrived.' },
  { path: '/api/partner', token: 'your token if you are signed in, and a subscription key', about: 'The BFF adds a static key the API checks, as an API gateway would; the browser never sees it.' },
  { path: '/api/reports', token: 'your access token', about: 'Editors only: the BFF checks the roles claim before relaying, so a reader is refused here.' },
  { path: '/api/audit', token: 'your access token, after a security-key sign-in', about: 'Needs acr mfa: a password sign-in gets step_up_required, and the panel takes you to the provider to use the security key.' },
];
