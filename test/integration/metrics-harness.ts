/**
 * Runs metrics-worker.ts as simulated Lambda execution environments (one child process each) and
 * parses what they print: our JSON log lines and the worker's own `{"worker":"done"}` report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./metrics-worker.ts', import.meta.url));
const IMPORT_TRACE = fileURLToPath(new URL('./metrics-import-trace.ts', import.meta.url));

export interface WorkerReport {
  worker: 'done';
  invocations: number;
  errors: number;
  timeouts: number;
  coldstarts: number;
  wrongResults: number;
  addedMs: number[];
  /** Module specifiers resolved after start, when started with `traceImports`. */
  resolved?: string[];
}

export interface Worker {
  readonly child: ChildProcess;
  /** Every stdout line so far, parsed. */
  readonly lines: () => Array<Record<string, unknown>>;
  readonly done: Promise<WorkerReport>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** Start one environment with `env` as its whole environment (plus PATH and Lambda's basics). */
export function startWorker(env: Record<string, string>, options: { traceImports?: boolean } = {}): Worker {
  const args = options.traceImports ? ['--import', IMPORT_TRACE, WORKER] : [WORKER];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: 'orders', AWS_REGION: 'eu-west-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const parsed: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffer = '';
  let resolveDone!: (r: WorkerReport) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<WorkerReport>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined);
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const record = JSON.parse(line) as Record<string, unknown>;
      parsed.push(record);
      if (record.worker === 'done') resolveDone(record as unknown as WorkerReport);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      rejectDone(new Error(`worker exited (${code ?? signal}) before it was done; stderr: ${stderr.slice(-2000)}`));
      resolve({ code, signal });
    }),
  );
  return { child, lines: () => parsed, done, exited };
}

/** Kill every worker still running (an after() hook: a failed test must not leave children behind). */
export function killWorkers(): void {
  for (const child of children) child.kill('SIGKILL');
}

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
