import { randomBytes } from 'node:crypto';
import type { SessionData } from './data.ts';

/**
 * The one constructor of a session: a fresh random `sid` (what the logout URL must carry), the
 * idle and absolute clocks started now. Sign-in is its only caller; everything after goes through
 * `resolve()` (session/resolve.ts).
 */
export function newSession(fields: Pick<SessionData, 'iss' | 'user' | 'at' | 'atExp' | 'rt' | 'scope' | 'provider' | 'psid'>, now: number): SessionData {
  return {
    v: 1,
    sid: randomBytes(16).toString('base64url'),
    iss: fields.iss,
    ...(fields.provider !== undefined ? { provider: fields.provider } : {}),
    ...(fields.psid !== undefined ? { psid: fields.psid } : {}),
    user: fields.user,
    at: fields.at,
    atExp: fields.atExp,
    ...(fields.rt !== undefined ? { rt: fields.rt } : {}),
    ...(fields.scope !== undefined ? { scope: fields.scope } : {}),
    createdAt: now,
    seenAt: now,
  };
}
