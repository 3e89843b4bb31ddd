import { useState } from 'react';
import type { UserClaims } from '../../shared/session.ts';

// No inline styles: the CSP has no 'unsafe-inline' for style-src.
// What an <img src> may load from a claim; the CSP (img-src) decides the rest, and a picture it
// blocks or that fails to load falls back to the initial.
const PICTURE_URL = /^(?:https?:\/\/|data:image\/(?:svg\+xml|png|jpeg|gif|webp)[;,])/i;

/** The user's `picture` claim, or their initial in a circle. Decorative: the name is always beside it. */
export function Avatar({ user, name, size = 'small' }: { user: UserClaims; name: string; size?: 'small' | 'large' }) {
  const pixels = size === 'small' ? 32 : 96;
  const picture = typeof user.picture === 'string' && PICTURE_URL.test(user.picture) ? user.picture : undefined;
  const [failed, setFailed] = useState<string | undefined>(undefined);
  if (picture && failed !== picture) {
    return <img className={`avatar avatar-${size}`} src={picture} alt="" width={pixels} height={pixels} onError={() => setFailed(picture)} />;
  }
  return (
    <span className={`avatar avatar-${size} avatar-initial`} aria-hidden="true">
      {(name.match(/\p{L}|\p{N}/u)?.[0] ?? '?').toUpperCase()}
    </span>
  );
}
