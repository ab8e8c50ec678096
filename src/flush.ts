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

/** Run every task; resolve when all have settled or `budgetMs` has passed, whichever is first. */
export async function flushWithin(tasks: readonly FlushTask[], budgetMs: number): Promise<FlushReport> {
  const started = performance.now();
  const ok: string[] = [];
  const failed: { name: string; error: unknown }[] = [];
  const pending = new Set(tasks.map((t) => t.name));
  const settled = tasks.map((task) =>
    Promise.resolve()
      .then(() => task.run())
      .then(
        () => ok.push(task.name),
        (error: unknown) => failed.push({ name: task.name, error }),
      )
      .finally(() => pending.delete(task.name)),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    // Not unref'd: the invocation awaits this deadline, and a pending task may hold no handle of its
    // own; an unref'd timer would let the process exit mid-flush. It is always cleared below.
    timer = setTimeout(resolve, Math.max(0, budgetMs));
  });
  await Promise.race([Promise.all(settled), deadline]);
  clearTimeout(timer);
  return { ok, failed, timedOut: [...pending], elapsedMs: performance.now() - started };
}
