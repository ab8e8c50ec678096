// The emulator's waits (init done, response posted, everyone back on `next`, process exited)
// are all "until this condition holds or the deadline passes". Every state change notifies one
// ChangeSignal and each waiter re-checks its own condition, so there is no polling and no
// per-condition bookkeeping.

export class ChangeSignal {
  #waiters = new Set<() => void>();

  notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /**
   * Resolves with the first non-undefined value `check` returns, checked now and after every
   * notify(); resolves undefined once `deadlineMs` (epoch ms) has passed.
   */
  until<T>(check: () => T | undefined, deadlineMs: number): Promise<T | undefined> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const finish = (value: T | undefined) => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(value);
      };
      const wake = () => {
        const value = check();
        if (value !== undefined) finish(value);
      };
      const timer = setTimeout(() => finish(check()), Math.max(0, deadlineMs - Date.now()));
      this.#waiters.add(wake);
    });
  }
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
