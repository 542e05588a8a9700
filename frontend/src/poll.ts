import { useEffect, useRef } from 'preact/hooks';

// Calls fn every ms milliseconds while active and the page is visible: never two
// calls at once (the next waits for the last to settle), paused while the tab or
// window is hidden, resumed at once when it shows again. With immediate, the
// first call is made as soon as it becomes active.
export function usePoll(fn: () => Promise<unknown>, ms: number, active: boolean, immediate = true) {
  const fnRef = useRef(fn);
  fnRef.current = fn;

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let running = false;
    let paused = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const schedule = () => {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(tick, ms);
    };
    const tick = async () => {
      if (stopped) return;
      if (document.hidden) {
        paused = true;
        return;
      }
      running = true;
      try {
        await fnRef.current();
      } catch {
        // The callback shows its own errors; polling goes on.
      } finally {
        running = false;
        schedule();
      }
    };
    const onVisibility = () => {
      if (!document.hidden && paused && !running) {
        paused = false;
        void tick();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    if (immediate) void tick();
    else schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [active, ms, immediate]);
}
