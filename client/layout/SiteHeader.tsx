import { useSession } from '../bff/index.ts';
import { Link } from '../router/Link.tsx';
import { useLocation } from '../router/useLocation.ts';
import { UserMenu } from './UserMenu.tsx';

const NAV = [
  { to: '/', label: 'Home' },
  { to: '/api-panel', label: 'API panel' },
] as const;

/**
 * Brand, the signed-in navigation and the account menu. Its rows have fixed heights whether or
 * not anyone is signed in, so nothing below moves when the session arrives (no layout shift).
 * Signing in lives on the pages.
 */
export function SiteHeader() {
  const current = useSession();
  const { pathname } = useLocation();
  const session = current.status === 'signedIn' ? current : undefined;
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link to="/" className="brand">
          React BFF
        </Link>
        {!session && <p className="site-tagline">A React app behind its backend-for-frontend</p>}
        {session && (
          <>
            <nav aria-label="Main" className="site-nav">
              <ul className="nav-list">
                {NAV.map((item) => (
                  <li key={item.to}>
                    <Link to={item.to} aria-current={pathname === item.to ? 'page' : undefined}>
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <UserMenu session={session} />
          </>
        )}
      </div>
    </header>
  );
}
