import type { ReactNode } from 'react';

/**
 * Each screen's single `<h1>`. Focusable by script only (tabIndex -1) so that the router can move
 * focus here after an in-app navigation and screen readers announce the new page.
 */
export function PageHeading({ children }: { children: ReactNode }) {
  return (
    <h1 className="page-heading" tabIndex={-1}>
      {children}
    </h1>
  );
}
