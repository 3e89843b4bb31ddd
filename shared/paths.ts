/** The BFF's routes, shared so the SPA never spells one by hand. */
export const paths = {
  login: '/auth/login',
  callback: '/auth/callback',
  session: '/auth/session',
  logout: '/auth/logout',
  /** The configured providers, `[{ name, label }]`. */
  providers: '/auth/providers',
  /** OpenID Connect Back-Channel Logout 1.0: the provider POSTs a logout token here. */
  backchannelLogout: '/auth/backchannel-logout',
  /** The SPA's page that explains a failed sign-in; the BFF redirects there with `error` and `error_description`. */
  loginError: '/login-error',
  api: '/api',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

/** The static anti-forgery header every `/api` call carries (Duende's convention). */
export const CSRF_HEADER = 'x-csrf';
export const CSRF_VALUE = '1';
