/** The sessionStorage key of the last silent sign-in attempt (see silent-sign-in.ts). */
export const SILENT_MARKER = 'bff:silent-sign-in';
/** Its value while the browser is away at the provider: the next load is the attempt's return. */
export const SILENT_ATTEMPT = 'attempt';
/** Its value once the attempt came back, or the user signed out: no attempt, nothing to clean up. */
export const SILENT_DONE = 'done';
