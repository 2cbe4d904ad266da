// The worker client: calls into cmgems-core (worker.js, WebAssembly) as promises.
// Protocol (worker.js): the page posts {id, type, ...args}; the worker answers
// {id, ok, result} or {id, ok: false, error}, and long jobs post {id, progress} first.
// No DOM: the worker is passed in, so tests can hand it a fake.

export class Engine {
  /** `worker`: a Worker (or anything with postMessage/onmessage/onerror); `onError(text)`: it failed. */
  constructor(worker, onError = () => {}) {
    this.worker = worker;
    this.next = 1;
    this.pending = new Map();
    worker.onmessage = (e) => this.receive(e.data);
    worker.onerror = (e) => onError(`The WebAssembly worker failed to start: ${e.message || e}. Was the page built (www/build.sh)?`);
  }

  /** Asks the worker for `type` with `args`; `onProgress(progress)` hears long jobs' progress. */
  call(type, args = {}, onProgress = null) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...args });
    });
  }

  receive({ id, progress, ok, result, error }) {
    const p = this.pending.get(id);
    if (!p) return;
    if (progress) { p.onProgress?.(progress); return; }
    this.pending.delete(id);
    if (ok) p.resolve(result); else p.reject(new Error(error));
  }
}

/** An Engine on a new module worker running worker.js next to this page. */
export const startEngine = (onError) => new Engine(new Worker(new URL('../worker.js', import.meta.url), { type: 'module' }), onError);
