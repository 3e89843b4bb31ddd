import type { RefObject } from 'react';
import { useEffect, useRef } from 'react';
import { SignInAgainBanner } from './auth/SignInAgainBanner.tsx';
import { SiteHeader } from './layout/SiteHeader.tsx';
import { useFocusRescue } from './layout/useFocusRescue.ts';
import { Routes } from './Routes.tsx';
import { useLocation } from './router/useLocation.ts';

/** Needs a `<BffProvider>` above it (the React module: session, sync, query client). */
export function App() {
  const { pathname } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  useFocusOnNavigation(pathname, mainRef);
  useFocusRescue(mainRef);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <SiteHeader />
      <SignInAgainBanner />
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        <Routes />
      </main>
    </>
  );
}

/**
 * After an in-app navigation nothing tells a screen reader the page changed; moving focus to the
 * new page's heading does (the initial load is left alone, as the browser handles it).
 */
function useFocusOnNavigation(pathname: string, mainRef: RefObject<HTMLElement | null>): void {
  // Compared with the previous path rather than "first run", so StrictMode's double effects in
  // development do not steal focus on the initial load.
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    const main = mainRef.current;
    if (!main) return;
    const heading = main.querySelector<HTMLElement>('h1');
    (heading ?? main).focus();
    window.scrollTo?.(0, 0);
  }, [pathname, mainRef]);
}
