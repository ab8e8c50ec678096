/**
 * `lambda-observe demo` (what `npm start` runs): the example handlers in handlers/, each invoked
 * through `invoke` in its own process — its own execution environment, so each starts cold —
 * with a mix of events: successes, a downstream child span, a 404, a thrown error, a partial
 * batch failure, a scheduled job.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoArgs } from './args.ts';
import { CliError, EXIT } from './errors.ts';
import { refreshTraceIds } from './events.ts';
import type { Output } from './output.ts';
import type { Style } from './render/style.ts';
import { sampleEvent, type SampleName } from './sample-events.ts';

export interface DemoDeps {
  readonly out: Output;
  readonly style: Style;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The CLI entry script to run `invoke` with. */
  readonly entry: string;
}

interface Step {
  readonly file: string;
  readonly story: string;
  readonly events: ReadonlyArray<Record<string, unknown>>;
}

/** The repository's handlers/ directory, next to dist/ (or src/). */
export function handlersDirectory(): string {
  return join(dirname(dirname(dirname(fileURLToPath(import.meta.url)))), 'handlers');
}

function steps(): Step[] {
  return [
    {
      file: 'orders-api.mjs',
      story: 'an API handler that never imports lambda-observe: a child span, a 404, a thrown error',
      events: [apiOrder('42'), apiOrder('99'), apiOrder('boom')],
    },
    {
      file: 'checkout.mjs',
      story: 'a handler that wraps itself with observe(): its logger, annotate() and a custom metric',
      events: [checkout({ items: [{ sku: 'SKU-1', qty: 2 }], tier: 'gold' }), checkout({ items: [] })],
    },
    {
      file: 'orders-queue.cjs',
      story: 'an SQS consumer in CommonJS: one span per batch, linked to the messages\' traces; one fails',
      events: [sqsWithFailure()],
    },
    {
      file: 'nightly-report.mjs',
      story: 'a scheduled job (EventBridge rule)',
      events: [sample('schedule')],
    },
  ];
}

export async function demo(args: DemoArgs, deps: DemoDeps): Promise<number> {
  const { out, style } = deps;
  const directory = handlersDirectory();
  if (!existsSync(join(directory, 'orders-api.mjs'))) {
    throw new CliError(`the demo runs the example handlers of a clone of the repository, and ${directory} has none; try: lambda-observe invoke ./your-handler.mjs --event api`);
  }
  const plan = steps();
  if (!args.json) {
    out.lines([
      style.bold('lambda-observe demo') + style.gray(` — the ${plan.length} example handlers in handlers/, each in a fresh execution environment`),
    ]);
  }
  for (const [i, step] of plan.entries()) {
    if (!args.json) out.lines(['', style.magenta(`━━ ${i + 1}/${plan.length}  ${step.story}`)]);
    await out.drained();
    const argv = [...process.execArgv, deps.entry, 'invoke', join('handlers', step.file)];
    for (const event of step.events) argv.push('--event', JSON.stringify(event));
    if (args.json) argv.push('--json');
    if (args.verbose) argv.push('--verbose');
    const code = await run(process.execPath, argv, dirname(directory), deps.env);
    if (code !== EXIT.ok && code !== EXIT.invocationFailed) {
      throw new CliError(`demo step ${i + 1} (${step.file}) exited with ${code}`, EXIT.badInput);
    }
  }
  if (!args.json) {
    out.lines([
      '',
      `${style.bold('next')}  your handler: ${style.cyan('npx lambda-observe invoke ./handler.mjs --event api')}  ${style.gray('(--help lists the samples)')}`,
      `      ${style.gray('the same run in Jaeger and Prometheus: start the infra/ stack, then set')}`,
      `      ${style.gray('OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 LAMBDA_OBSERVE_PUSHGATEWAY_URL=http://localhost:9091')}`,
    ]);
  }
  return EXIT.ok;
}

function run(command: string, argv: string[], cwd: string, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env: { ...env }, stdio: 'inherit' });
    child.once('error', (error) => reject(new CliError(`could not start the demo's invoke: ${error.message}`)));
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function sample(name: SampleName): Record<string, unknown> {
  return refreshTraceIds(sampleEvent(name));
}

function apiOrder(id: string): Record<string, unknown> {
  const event = sample('api') as { path: string; pathParameters: object; requestContext?: { path?: string } };
  event.path = `/orders/${id}`;
  event.pathParameters = { id };
  if (event.requestContext) event.requestContext.path = `/prod/orders/${id}`;
  return event;
}

function checkout(body: Record<string, unknown>): Record<string, unknown> {
  const event = sample('http') as { body: string; headers?: Record<string, string> };
  event.body = JSON.stringify(body);
  if (event.headers) event.headers['content-length'] = String(Buffer.byteLength(event.body));
  return event;
}

function sqsWithFailure(): Record<string, unknown> {
  const event = sample('sqs') as { Records: Array<Record<string, unknown>> };
  const last = event.Records[event.Records.length - 1];
  if (last) last.body = JSON.stringify({ orderId: '43', event: 'OrderPlaced', fail: true });
  return event;
}
