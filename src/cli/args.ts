/** The command line: `invoke <handler> [options]`, `demo [options]`, `help`. */
import { parseArgs } from 'node:util';
import { CliError } from './errors.ts';
import { SAMPLES, SAMPLE_NAMES } from './sample-events.ts';

export interface InvokeArgs {
  readonly command: 'invoke';
  readonly handler: string;
  readonly events: readonly string[];
  /** Undefined: as many as there are events (one by default). */
  readonly times: number | undefined;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly functionName: string | undefined;
  readonly json: boolean;
  readonly verbose: boolean;
}

export interface DemoArgs {
  readonly command: 'demo';
  readonly json: boolean;
  readonly verbose: boolean;
}

export type CliArgs = InvokeArgs | DemoArgs | { readonly command: 'help' | 'version'; readonly verbose: boolean };

/** Lambda's own default timeout and memory. */
export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_MEMORY_MB = 128;

export function parseCli(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-[^']*)'/.exec(message)?.[1];
    const text = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option ? `unknown option ${option}` : (message.split('\n')[0] ?? message);
    throw new CliError(`${text} (see lambda-observe --help)`);
  }
  const { values, positionals } = parsed;
  const verbose = values.verbose === true;
  if (values.version) return { command: 'version', verbose };
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help', verbose };
  if (command === 'demo') {
    if (rest.length > 0) throw new CliError(`demo takes no arguments, got ${JSON.stringify(rest[0])}`);
    return { command: 'demo', json: values.json === true, verbose };
  }
  if (command !== 'invoke') throw new CliError(`unknown command ${JSON.stringify(command)} (commands: invoke, demo, help)`);
  if (rest.length !== 1) {
    throw new CliError(rest.length === 0 ? 'invoke needs a handler, e.g. lambda-observe invoke handlers/orders-api.handler --event api' : `invoke takes one handler, got ${rest.length}: ${rest.join(' ')}`);
  }
  return {
    command: 'invoke',
    handler: rest[0] as string,
    events: values.event ?? [],
    times: values.times === undefined ? undefined : integer('--times', values.times, 1, 100_000),
    concurrency: values.concurrency === undefined ? 1 : integer('--concurrency', values.concurrency, 1, 1000),
    timeoutMs: values.timeout === undefined ? DEFAULT_TIMEOUT_MS : integer('--timeout', values.timeout, 1000, 900_000, ' ms (Lambda allows 1 s to 15 min)'),
    memoryMb: values.memory === undefined ? DEFAULT_MEMORY_MB : integer('--memory', values.memory, 128, 10_240, ' MB (Lambda allows 128 to 10240)'),
    functionName: values['function-name'],
    json: values.json === true,
    verbose,
  };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      event: { type: 'string', short: 'e', multiple: true },
      times: { type: 'string', short: 'n' },
      concurrency: { type: 'string', short: 'c' },
      timeout: { type: 'string', short: 't' },
      memory: { type: 'string', short: 'm' },
      'function-name': { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

function integer(flag: string, raw: string, min: number, max: number, unit = ''): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}${unit}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function helpText(): string {
  const samples = SAMPLE_NAMES.map((name) => `    ${name.padEnd(13)}${SAMPLES[name].describes}`).join('\n');
  return `lambda-observe — run Lambda handlers locally and see their logs, trace, wide event and metrics

Usage:
  lambda-observe invoke <handler> [--event <name|file|json|->]... [options]
  lambda-observe demo [--json] [--verbose]

<handler> is a file (handlers/orders-api.mjs, export "handler") or Lambda's handler string,
relative to the current directory: handlers/orders-api.handler, src/app.handlers.main.
Modules may be .js, .mjs, .cjs or .ts; the export may be a property of the default export.
Handlers not wrapped with observe() are wrapped, as the layer would.

Options:
  -e, --event <e>        sample name, JSON file, inline JSON or - for stdin; repeat to cycle
                         through several events (default: {})
  -n, --times <n>        invocations (default: one per --event)
  -c, --concurrency <n>  invocations in flight at once, in this one environment (default: 1)
  -t, --timeout <ms>     the function's timeout, 1000 to 900000 (default: ${DEFAULT_TIMEOUT_MS})
  -m, --memory <mb>      the function's memory size (default: ${DEFAULT_MEMORY_MB})
      --function-name    default: the handler file's name
      --json             only the JSON lines the function writes (plus one result line per
                         invocation and a summary), for jq and scripts
  -v, --verbose          full wide events, stacks, metric buckets
  -h, --help

Sample events (fresh trace ids each invocation):
${samples}

Also exports where the environment says so: OTEL_EXPORTER_OTLP_ENDPOINT (e.g. Jaeger on
http://localhost:4318), LAMBDA_OBSERVE_PUSHGATEWAY_URL (e.g. http://localhost:9091).
Exit status: 0 all invocations succeeded, 1 one failed or timed out, 2 bad input.
`;
}
