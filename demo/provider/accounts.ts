import type { Account } from 'oidc-provider';

// Demo users. There is no password database: any well-formed user name signs in, and the name
// itself is the subject identifier. alice is the editor, everyone else (bob included) a reader.

export interface DemoUser {
  sub: string;
  name: string;
  email: string;
  roles: string[];
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
      roles: user.roles,
    }),
  };
}
