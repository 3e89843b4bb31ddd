import { useEffect } from 'react';

const APP_NAME = 'React BFF';

/** Tabs, history and screen readers all read the document title; give every screen its own. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · ${APP_NAME}` : APP_NAME;
  }, [title]);
}
