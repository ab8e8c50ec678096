/**
 * Runs the invocations of one `invoke`: fresh event and context each time, `--times` of them,
 * at most `--concurrency` at once in this one execution environment, each raced against its
 * deadline like Lambda does. A handler's error never escapes: it is the invocation's outcome.
 */
import type { Collector, InvocationOutput } from './collect.ts';
import type { EventSource } from './events.ts';
import { createLambdaContext } from './lambda-context.ts';

/** An observed handler: what `observe()` returns. */
export type ObservedFn = (event: unknown, context: unknown) => Promise<unknown>;

export interface RunPlan {
  readonly handler: ObservedFn;
  readonly events: readonly EventSource[];
  readonly times: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type CliOutcome = 'success' | 'error' | 'timeout';

/** One finished invocation, as the views show it. */
export interface InvocationResult {
  /** 1-based, in start order. */
  readonly index: number;
  readonly eventLabel: string;
  /** `GET /orders/42` for an HTTP event, else undefined. */
  readonly requestLine: string | undefined;
  readonly awsRequestId: string;
  readonly outcome: CliOutcome;
  readonly result: unknown;
  readonly error: unknown;
  /** Wall-clock from the call to the answer, flush included (what the caller waits). */
  readonly wallMs: number;
  readonly output: InvocationOutput;
}

/** Run the plan, calling `onResult` as each invocation finishes (completion order). */
export async function runPlan(plan: RunPlan, collector: Collector, onResult: (result: InvocationResult) => void): Promise<InvocationResult[]> {
  const results: InvocationResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plan.times) {
      const index = next++;
      const source = plan.events[index % plan.events.length] as EventSource;
      const result = await invokeOnce(plan, source, index + 1, collector);
      results.push(result);
      onResult(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.times) }, worker));
  return results.sort((a, b) => a.index - b.index);
}

async function invokeOnce(plan: RunPlan, source: EventSource, index: number, collector: Collector): Promise<InvocationResult> {
  const event = source.next();
  const context = createLambdaContext(plan.env, plan.timeoutMs);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ outcome: 'timeout' }>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'timeout' }), plan.timeoutMs);
  });
  const call = Promise.resolve()
    .then(() => plan.handler(event, context))
    .then(
      (result) => ({ outcome: 'success' as const, result }),
      (error: unknown) => ({ outcome: 'error' as const, error }),
    );
  const settled = await Promise.race([call, deadline]);
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  const timedOut = settled.outcome === 'timeout';
  return {
    index,
    eventLabel: source.label,
    requestLine: requestLineOf(event),
    awsRequestId: context.awsRequestId,
    outcome: settled.outcome,
    result: 'result' in settled ? settled.result : undefined,
    error: timedOut
      ? new Error(`Task timed out after ${(plan.timeoutMs / 1000).toFixed(2)} seconds`)
      : 'error' in settled
        ? settled.error
        : undefined,
    wallMs,
    output: collector.take(context.awsRequestId),
  };
}

/** The method and raw path of an HTTP event (API Gateway v1/v2, ALB, function URL). */
export function requestLineOf(event: Record<string, unknown>): string | undefined {
  const context = event.requestContext as Record<string, unknown> | undefined;
  const http = context?.http as Record<string, unknown> | undefined;
  const method = event.httpMethod ?? http?.method;
  const path = event.path ?? event.rawPath ?? http?.path;
  return typeof method === 'string' && typeof path === 'string' ? `${method} ${path}` : undefined;
}
