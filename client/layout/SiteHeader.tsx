import { signOut } from '../auth/navigation.ts';
import { displayName, useSession } from '../auth/useSession.ts';
import { Link } from '../router/Link.tsx';
import { useLocation } from '../router/useLocation.ts';

const NAV = [
  { to: '/', label: 'Profile' },
  { to: '/api-panel', label: 'API panel' },
] as const;

/** Brand, the signed-in navigation and the account controls. Signing in lives on the pages. */
export function SiteHeader() {
  const { data } = useSession();
  const { pathname } = useLocation();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link to="/" className="brand">
          React BFF
        </Link>
        {data?.authenticated && (
          <>
            <nav aria-label="Main">
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
            <div className="account">
              <span className="account-name">{displayName(data.user)}</span>
              <button type="button" className="button" onClick={() => signOut(data.logoutUrl)}>
                Sign out
              </button>
            </div>
          </>
        )}
      </div>
    </header>
  );
}
