import { useEffect, useRef } from 'react';

/**
 * Calls refresh every seconds (0: never) while the page is visible; a
 * page coming back into view refreshes at once if a round was missed.
 */
export function useAutoRefresh(refresh: () => unknown, seconds: number): void {
  const fn = useRef(refresh);
  fn.current = refresh;
  useEffect(() => {
    if (!seconds || seconds <= 0) return;
    let missed = false;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'hidden') missed = true;
      else void fn.current();
    }, seconds * 1000);
    const onVisible = () => {
      if (document.visibilityState === 'visible' && missed) {
        missed = false;
        void fn.current();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [seconds]);
}
