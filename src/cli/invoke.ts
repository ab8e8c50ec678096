/**
 * `lambda-observe invoke`: load a handler as Lambda would, wrap it with observe() unless it is
 * already wrapped, invoke it with realistic events and contexts, and show what it emitted.
 *
 * Everything is imported relatively (`../observe.ts` → `../observe.js` in dist/): a handler that
 * does `import { observe } from 'lambda-observe'` resolves to these very modules, so there is one
 * lambda-observe in the process and its lines reach our `captureLines`.
 */
import { readFileSync } from 'node:fs';
import { resetEnvForTesting } from '../config.ts';
import { isObserved, observe } from '../observe.ts';
import type { InvokeArgs } from './args.ts';
import { startCollecting, type Collector } from './collect.ts';
import { CliError, EXIT, oneLine } from './errors.ts';
import { defaultEvent, resolveEvent, type EventSource } from './events.ts';
import { loadHandler, locateHandler, type LoadedHandler } from './handler-loader.ts';
import { applyLambdaEnvironment, functionNameFor } from './lambda-context.ts';
import { currentExposition } from './metrics-source.ts';
import type { Output } from './output.ts';
import { renderInvocation } from './render/invocation-view.ts';
import { renderExposition, renderTotals, totalsOf } from './render/run-summary.ts';
import { formatDuration } from './render/format.ts';
import type { Style } from './render/style.ts';
import { runPlan, type InvocationResult, type ObservedFn } from './run.ts';
import { destinations, ensureConsoleExporter } from './telemetry-env.ts';

export interface InvokeDeps {
  readonly out: Output;
  readonly style: Style;
  readonly width: number;
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
}

/** Run `invoke`; resolves with the exit code. Bad input throws a CliError before anything runs. */
export async function invoke(args: InvokeArgs, deps: InvokeDeps): Promise<number> {
  const { out, style, env } = deps;
  const location = locateHandler(args.handler, deps.cwd);
  let stdin: string | undefined;
  const events: EventSource[] = args.events.length
    ? args.events.map((spec) => resolveEvent(spec, () => (stdin ??= readStdinOnce())))
    : [defaultEvent()];

  // Lambda's variables exist before the handler module loads; so must ours.
  const functionName = args.functionName ?? functionNameFor(location.file);
  const handlerSetting = `${location.label.slice(0, location.label.lastIndexOf(':')).replace(/\.[cm]?[jt]s$/, '')}.${location.exportPath.join('.')}`;
  applyLambdaEnvironment(env, { functionName, memoryMb: args.memoryMb, timeoutMs: args.timeoutMs, handler: handlerSetting, taskRoot: deps.cwd });
  const alsoExporting = ensureConsoleExporter(env);
  resetEnvForTesting();

  const collector = startCollecting({
    collectConsole: !args.json,
    onLine: args.json ? (line) => out.raw(line) : undefined,
    onStrayConsole: (method, text) =>
      args.json ? out.problem(text) : out.lines([`  ${style.gray(`console.${method}`.padEnd(12))}${text}`]),
  });
  try {
    const initStarted = performance.now();
    const loaded = await loadHandler(location);
    const initMs = performance.now() - initStarted;
    const wrapped = isObserved(loaded.fn);
    const handler = (wrapped ? loaded.fn : observe(loaded.fn as never)) as unknown as ObservedFn;
    const times = args.times ?? events.length;
    const showEventLabel = new Set(events.map((e) => e.label)).size > 1;

    if (!args.json) out.lines(runHeader(loaded, wrapped, events, times, args, alsoExporting, deps));
    const results = await runPlan(
      { handler, events, times, concurrency: args.concurrency, timeoutMs: args.timeoutMs, env },
      collector,
      (result) => {
        const notes = collector.takeUnattributed();
        if (args.json) {
          out.raw(`${JSON.stringify(resultRecord(result))}\n`);
        } else {
          out.lines(['', ...renderInvocation(result, notes, { style, width: deps.width, verbose: args.verbose, initMs, showEventLabel })]);
        }
      },
    );
    await finish(results, collector, args, deps);
    return results.some((r) => r.outcome !== 'success') ? EXIT.invocationFailed : EXIT.ok;
  } finally {
    collector.stop();
  }
}

function runHeader(
  loaded: LoadedHandler,
  wrapped: boolean,
  events: readonly EventSource[],
  times: number,
  args: InvokeArgs,
  alsoExporting: readonly string[],
  deps: InvokeDeps,
): string[] {
  const { style, env } = deps;
  const how = wrapped ? 'wraps itself with observe()' : 'wrapped by the CLI';
  const labels = [...new Set(events.map((e) => e.label))];
  const shape = [
    `${loaded.moduleKind}, ${how}`,
    `${times} invocation${times === 1 ? '' : 's'}${labels.length === 1 && labels[0] === 'inline JSON' ? '' : ` of ${labels.join(', ')}`}`,
    args.concurrency > 1 ? `concurrency ${args.concurrency}` : '',
    `timeout ${args.timeoutMs % 1000 === 0 ? `${args.timeoutMs / 1000} s` : formatDuration(args.timeoutMs)}`,
    `${env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE} MB`,
  ].filter(Boolean);
  const lines = [
    `${style.bold('λ')} ${style.bold(env.AWS_LAMBDA_FUNCTION_NAME ?? '')}  ${loaded.label.replace(/:handler$/, '')}  ${style.gray(shape.join(' · '))}`,
  ];
  const targets = destinations(env, alsoExporting);
  if (targets.length > 0) lines.push(`  ${style.gray(`also exporting: ${targets.join(' · ')}`)}`);
  return lines;
}

async function finish(results: readonly InvocationResult[], collector: Collector, args: InvokeArgs, deps: InvokeDeps): Promise<void> {
  const { out, style } = deps;
  const leftovers = collector.takeUnattributed();
  const exposition = await currentExposition();
  const totals = totalsOf(results);
  if (args.json) {
    if (exposition.text !== undefined) out.raw(`${JSON.stringify({ 'event.name': 'cli.metrics', format: 'prometheus-text-0.0.4', text: exposition.text })}\n`);
    out.raw(`${JSON.stringify({ 'event.name': 'cli.summary', invocations: totals.count, errors: totals.errors, timeouts: totals.timeouts, cold_starts: totals.coldStarts, p50_ms: round(totals.p50Ms), p99_ms: round(totals.p99Ms) })}\n`);
    return;
  }
  const lines: string[] = [''];
  for (const note of leftovers) lines.push(`  ${style.yellow(String(note.record.message ?? note.raw).trim())}`);
  const pad = ' '.repeat(14);
  if (exposition.text !== undefined) {
    const { lines: metricLines, folded } = renderExposition(exposition.text, style, args.verbose);
    const notes = [folded > 0 ? `+${folded} lines with --verbose (histograms, process gauges)` : '', exposition.label].filter(Boolean);
    metricLines.push(...notes.map((note) => style.gray(`↳ ${note}`)));
    lines.push(...metricLines.map((line, i) => (i === 0 ? `  ${style.bold('metrics')}${pad.slice(9)}${line}` : `${pad}${line}`)));
  } else {
    lines.push(`  ${style.bold('metrics')}${pad.slice(9)}${style.gray(exposition.label)}`);
  }
  if (results.length > 1) lines.push(renderTotals(totals, style));
  out.lines(lines);
}

/** The per-invocation line of `--json`: what the caller got back, under the invocation's ids. */
function resultRecord(result: InvocationResult): Record<string, unknown> {
  const wide = result.output.wideEvent;
  const record: Record<string, unknown> = {
    'event.name': 'cli.invocation',
    index: result.index,
    trace_id: wide?.trace_id ?? result.output.spans[0]?.trace_id,
    span_id: wide?.span_id,
    faas: { invocation_id: result.awsRequestId },
    outcome: result.outcome,
    wall_ms: round(result.wallMs),
  };
  if (result.outcome === 'success') record.result = result.result;
  else record.error = result.error instanceof Error ? { type: result.error.name, message: result.error.message } : { message: oneLine(result.error) };
  return record;
}

function round(ms: number): number {
  return Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : 0;
}

function readStdinOnce(): string {
  if (process.stdin.isTTY) {
    throw new CliError('--event - reads the event from stdin, but stdin is a terminal: pipe it, e.g. cat event.json | lambda-observe invoke … --event -');
  }
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the event from stdin: ${oneLine(error)}`);
  }
}
