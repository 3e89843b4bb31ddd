import { useEffect, useId, useRef, useState } from 'react';
import { displayName } from '../auth/session.ts';
import type { SignedInSession } from '../auth/session.ts';
import { Link } from '../router/Link.tsx';
import { useLocation } from '../router/useLocation.ts';
import { Avatar } from '../ui/Avatar.tsx';

/**
 * The account button (picture and name) and what it opens: a disclosure, not an ARIA menu, so it
 * holds an ordinary link and button that work with Tab. Escape and a click elsewhere close it.
 */
export function UserMenu({ session }: { session: SignedInSession }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const { pathname } = useLocation();
  const name = displayName(session.user);
  const email = typeof session.user.email === 'string' ? session.user.email : undefined;

  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((v) => !v)}
      >
        <Avatar user={session.user} name={name} />
        <span className="user-menu-name">{name}</span>
        <span className="visually-hidden">: account</span>
      </button>
      <div id={panelId} className="user-menu-panel" hidden={!open}>
        {email && <p className="user-menu-email">{email}</p>}
        <ul>
          <li>
            <Link to="/profile" aria-current={pathname === '/profile' ? 'page' : undefined}>
              Your profile
            </Link>
          </li>
          <li>
            <button type="button" className="button" onClick={session.signOut}>
              Sign out
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}
