import type { RefObject } from 'react';
import { useEffect } from 'react';

/** Marks the element that takes focus when a control inside the same `<section>` disappears. */
export const FOCUS_FALLBACK = 'data-focus-fallback';

/**
 * When the focused control is removed (a deleted note's button, "Try again" once it worked, a
 * whole screen swapped for "session ended"), browsers drop focus to `<body>`: keyboard users
 * start over from the top and screen readers go silent. This puts focus on the nearest sensible
 * place instead: the control's section's fallback heading if it is still there, else the page's `<h1>`.
 */
export function useFocusRescue(mainRef: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    let last: Element | null = null;
    let fallback: HTMLElement | null = null;
    const onFocusIn = (event: FocusEvent) => {
      if (!(event.target instanceof Element)) return;
      last = event.target;
      fallback = last.closest('section')?.querySelector<HTMLElement>(`[${FOCUS_FALLBACK}]`) ?? null;
    };
    const observer = new MutationObserver(() => {
      if (!last || last.isConnected) return;
      const active = document.activeElement;
      if (active && active !== document.body && active.isConnected) return;
      const main = mainRef.current;
      const target = fallback?.isConnected ? fallback : (main?.querySelector<HTMLElement>('h1') ?? main);
      last = null;
      target?.focus();
    });
    document.addEventListener('focusin', onFocusIn);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      observer.disconnect();
    };
  }, [mainRef]);
}
