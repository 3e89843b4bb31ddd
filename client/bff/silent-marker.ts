/** The sessionStorage key of the last silent sign-in attempt (see silent-sign-in.ts). */
export const SILENT_MARKER = 'bff:silent-sign-in';
