/**
 * A short-lived "already tried" note in sessionStorage: it survives the full-page round trip to
 * the provider (which is the point) but not the tab. Automatic navigations (silent sign-in,
 * step-up) check it so that a provider answering the same way every time cannot loop the page.
 * Without storage (blocked, private mode quirks) `isFresh` says yes: no note means no retry.
 */

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Whether `key` was marked with `value` less than `ttlMs` ago; also true when storage is unusable. */
export function isFresh(key: string, ttlMs: number, value = '', now = Date.now()): boolean {
  try {
    const store = storage();
    if (!store) return true;
    const raw = store.getItem(key);
    if (raw === null) return false;
    const [at, ...rest] = raw.split(' ');
    const age = now - Number(at);
    // A marker from the future (clock moved back) counts as fresh: never a reason to retry.
    return rest.join(' ') === value ? !(age >= ttlMs) : false;
  } catch {
    return true;
  }
}

/** Notes that `key` (with `value`) was tried now. Returns false when it could not be noted. */
export function mark(key: string, value = '', now = Date.now()): boolean {
  try {
    const store = storage();
    if (!store) return false;
    store.setItem(key, `${now} ${value}`);
    return store.getItem(key) === `${now} ${value}`;
  } catch {
    return false;
  }
}
