import type { Account } from 'oidc-provider';

// Demo users. There is no password database: any well-formed user name signs in, and the name
// itself is the subject identifier. alice is the editor, everyone else (bob included) a reader.

export interface DemoUser {
  sub: string;
  name: string;
  email: string;
  /** An SVG data URL: works offline and under the SPA's CSP (`img-src 'self' data:`). */
  picture: string;
  roles: string[];
}

// Dark enough for white text at >= 4.5:1, so the initial stays readable in both colour schemes.
const AVATAR_COLOURS = ['#1d4ed8', '#b42318', '#047857', '#6d28d9', '#9a3412', '#0e7490'];

/** A round avatar with the user's initial, a colour picked from the name (stable across sign-ins). */
export function avatarDataUrl(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const colour = AVATAR_COLOURS[hash % AVATAR_COLOURS.length] ?? AVATAR_COLOURS[0];
  const initial = (name.match(/[a-z0-9]/i)?.[0] ?? '?').toUpperCase();
  const svg =
    `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 40 40'><circle cx='20' cy='20' r='20' fill='${colour}'/>` +
    `<text x='20' y='27' font-family='system-ui,sans-serif' font-size='20' font-weight='600' fill='#fff' text-anchor='middle'>${initial}</text></svg>`;
  return `data:image/svg+xml,${svg.replaceAll('<', '%3C').replaceAll('>', '%3E').replaceAll('#', '%23')}`;
}

export const DEMO_USERS: ReadonlyArray<{ username: string; roles: string[] }> = [
  { username: 'alice', roles: ['editor'] },
  { username: 'bob', roles: ['reader'] },
];

// Kept URL- and header-safe because it ends up as `sub` in tokens and as a key in the demo API.
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Canonical user name for a submitted login value, or undefined if it is not acceptable. */
export function normalizeUsername(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const name = input.trim().toLowerCase();
  return USERNAME.test(name) ? name : undefined;
}

export function demoUser(sub: string): DemoUser | undefined {
  const username = normalizeUsername(sub);
  if (username === undefined) return undefined;
  const known = DEMO_USERS.find((u) => u.username === username);
  const display = username.charAt(0).toUpperCase() + username.slice(1);
  return {
    sub: username,
    name: `${display} Demo`,
    email: `${username}@example.com`,
    picture: avatarDataUrl(username),
    roles: [...(known?.roles ?? ['reader'])],
  };
}

/** `findAccount` for oidc-provider: every valid name is an account. */
export async function findAccount(_ctx: unknown, sub: string): Promise<Account | undefined> {
  const user = demoUser(sub);
  if (!user) return undefined;
  return {
    accountId: user.sub,
    // oidc-provider filters these by the granted scopes/claims mapping, so returning all is fine.
    claims: () => ({
      sub: user.sub,
      name: user.name,
      preferred_username: user.sub,
      email: user.email,
      email_verified: true,
      picture: user.picture,
      roles: user.roles,
    }),
  };
}
