/**
 * One budgeted flush of every signal. All run in parallel under a single deadline; whatever has
 * not finished by then is abandoned (it keeps going in the background, the invocation does not
 * wait for it). Never throws: telemetry must not break or slow the function beyond its budget.
 */

export interface FlushTask {
  readonly name: string;
  run(): Promise<void>;
}

export interface FlushReport {
  readonly ok: readonly string[];
  readonly failed: ReadonlyArray<{ name: string; error: unknown }>;
  readonly timedOut: readonly string[];
  readonly elapsedMs: number;
}

/**
 * Run every task; resolve when all have settled or `budgetMs` has passed, whichever is first.
 * One promise and one timer for the whole flush, not a chain per task: this runs after every
 * invocation, and on Node 22 every promise also runs AsyncLocalStorage's promise hook.
 */
export function flushWithin(tasks: readonly FlushTask[], budgetMs: number): Promise<FlushReport> {
  const started = performance.now();
  const ok: string[] = [];
  const failed: { name: string; error: unknown }[] = [];
  const pending = new Set(tasks.map((t) => t.name));
  return new Promise<FlushReport>((resolve) => {
    let left = tasks.length;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ok, failed, timedOut: [...pending], elapsedMs: performance.now() - started });
    };
    // Not unref'd: the invocation awaits this deadline, and a pending task may hold no handle of its
    // own; an unref'd timer would let the process exit mid-flush. It is always cleared.
    const timer = setTimeout(finish, Math.max(0, budgetMs));
    const settle = (name: string): void => {
      pending.delete(name);
      if (--left === 0) finish();
    };
    if (left === 0) return finish();
    const start = (task: FlushTask): void => {
      let running: Promise<void>;
      try {
        running = task.run();
      } catch (error) {
        failed.push({ name: task.name, error });
        settle(task.name);
        return;
      }
      Promise.resolve(running).then(
        () => {
          ok.push(task.name);
          settle(task.name);
        },
        (error: unknown) => {
          failed.push({ name: task.name, error });
          settle(task.name);
        },
      );
    };
    // Each task after the first starts once the event loop has polled, so that the first task's
    // request is on the wire and travels while the next task does its CPU work (the metrics push's
    // collection and serialization): a request on a connection that is still opening — the first
    // invocation's, even on a connection opened during init — is written only when a poll reports
    // the connection open, so a task started at once, or from the tick queue, held it back for all
    // of that work (4–5 ms at a cold start in the benchmark). The later tasks follow on the tick queue.
    start(tasks[0] as FlushTask);
    let next = 1;
    const startNext = (): void => {
      start(tasks[next++] as FlushTask);
      if (next < tasks.length) process.nextTick(startNext);
    };
    if (next < tasks.length) setImmediate(startNext);
  });
}
