import { useMemo, useSyncExternalStore } from 'react';
import { locationSnapshot, subscribeLocation } from './history.ts';

export interface AppLocation {
  pathname: string;
  /** The query string including its `?`, or `''`. */
  search: string;
}

export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribeLocation, locationSnapshot);
  return useMemo(() => {
    const at = href.indexOf('?');
    return at === -1 ? { pathname: href, search: '' } : { pathname: href.slice(0, at), search: href.slice(at) };
  }, [href]);
}
