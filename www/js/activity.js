// What the page is busy with: a count of requests and handlers in flight, and a promise
// that resolves once none is (window.__inspector.settled, which the tests and the benchmark
// wait on). Debounced and coalesced work counts as busy from the first call. No DOM.

export function createActivity() {
  let busy = 0;
  let idleWaiters = [];
  const change = (delta) => {
    busy += delta;
    if (busy === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  };
  return {
    get busy() { return busy; },
    /** Awaits `promise`, counting it as busy meanwhile. */
    async track(promise) {
      change(1);
      try { return await promise; } finally { change(-1); }
    },
    /** Resolves when nothing is in flight. */
    settled: () => new Promise((resolve) => (busy === 0 ? resolve() : idleWaiters.push(resolve))),
    /** fn, run `ms` after the last call. */
    debounced(fn, ms) {
      let timer = null;
      return () => {
        if (timer) clearTimeout(timer); else change(1);
        timer = setTimeout(async () => {
          timer = null;
          try { await fn(); } finally { change(-1); }
        }, ms);
      };
    },
    /**
     * fn, run now, or, while a run is in flight, once more after it with the latest values:
     * a dragged slider updates as fast as the worker answers, with no fixed delay.
     */
    coalesced(fn) {
      let running = false, again = false;
      return async () => {
        if (running) { again = true; return; }
        running = true;
        change(1);
        try {
          do { again = false; await fn(); } while (again);
        } finally { running = false; change(-1); }
      };
    },
  };
}
