import { useMemo } from 'react';
import { useLocation as useWouterLocation, useSearch } from 'wouter';

export interface AppLocation {
  pathname: string;
  /** The query string including its `?`, or `''`. */
  search: string;
}

/** The current path and query, from wouter's location hooks (they re-render on every navigation). */
export function useLocation(): AppLocation {
  const [pathname] = useWouterLocation();
  const search = useSearch();
  return useMemo(() => ({ pathname, search: search ? `?${search}` : '' }), [pathname, search]);
}
