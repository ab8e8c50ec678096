/**
 * The deadline of the flush hold's current wait (flush-hold-client.ts): one timer for the life of
 * the process instead of one per invocation. Arming a fresh timer and clearing it again inserts a
 * timer list into Node's priority queue and takes it out (each invocation's delay differs, so no
 * list is shared), between every two invocations; here a wait only refs the timer that is already
 * armed when that one fires no later than it must, and the release unrefs it. The timer fires at
 * most once per function timeout or so, then checks the clock and arms again for what is left.
 */
export interface HoldDeadline {
  /** Call `onExpired` at `at` (epoch ms) unless `cancel` comes first; the timer keeps the process alive until then. */
  start(at: number, onExpired: () => void): void;
  cancel(): void;
}

export function createHoldDeadline(): HoldDeadline {
  let timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (epoch ms). */
  let firesAt = 0;
  let due = 0;
  let expired: (() => void) | undefined;

  const arm = (at: number, now: number): void => {
    if (timer) clearTimeout(timer);
    const delay = Math.max(0, at - now);
    firesAt = now + delay;
    timer = setTimeout(fire, delay);
  };

  const fire = (): void => {
    timer = undefined;
    const callback = expired;
    if (!callback) return;
    const now = Date.now();
    if (now < due) {
      // Armed for an earlier wait: the current one has time left.
      arm(due, now);
      return;
    }
    expired = undefined;
    callback();
  };

  return {
    start(at, onExpired) {
      due = at;
      expired = onExpired;
      if (timer && firesAt <= at) timer.ref();
      else arm(at, Date.now());
    },
    cancel() {
      expired = undefined;
      // Left armed, unref'd: it never keeps the process alive, and the next wait may use it.
      timer?.unref();
    },
  };
}
