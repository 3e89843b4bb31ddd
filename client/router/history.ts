/**
 * A router small enough to read in one go: the History API plus one custom event, because
 * `pushState` does not fire `popstate` and the app has only a handful of screens.
 */
const NAVIGATE_EVENT = 'app:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function subscribeLocation(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

/** A string, so `useSyncExternalStore` can compare snapshots by value. */
export function locationSnapshot(): string {
  return window.location.pathname + window.location.search;
}
