// Runs a server binary as a child process for a test: on a free loopback
// port, in its own temp dir, until its readiness URL answers 2xx. Every wait
// has a deadline, and the child and its dir are cleaned up on stop() and,
// as a last resort, when the test process exits.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface ServerSpec {
  /** Short name used in errors and the temp dir name. */
  name: string;
  /** Absolute path of the binary. */
  command: string;
  /** Command-line arguments for a given port and the server's own temp dir. */
  args(port: number, dir: string): string[];
  /** Called before spawning, e.g. to write a config file into `dir`. */
  setup?(port: number, dir: string): void;
  /** Path that answers 2xx once the server is ready, e.g. `/-/ready`. */
  readyPath: string;
  /** Deadline for readiness; 10 s by default. */
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** The server's temp dir; removed on stop(). */
  readonly dir: string;
  /** `performance.now()` just before spawn. */
  readonly startedAt: number;
  /** Milliseconds from spawn until the readiness URL answered 2xx. */
  readonly startupMs: number;
  /** Last lines of the child's stdout+stderr. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited and its dir is gone. */
  stop(): Promise<void>;
}

const DEFAULT_READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 50;
const STOP_GRACE_MS = 5_000;
const BIND_ATTEMPTS = 3;

// ---------------------------------------------------------------------------
// Last-resort cleanup: a test that throws before its after() hook, or a
// runner that cancels the file, must not leave servers holding ports.

const exitCleanups = new Set<() => void>();
let exitHooked = false;

function runExitCleanups(): void {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away.
    }
  }
  exitCleanups.clear();
}

function onProcessExit(cleanup: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', runExitCleanups);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        runExitCleanups();
        // Our listener replaced the default "terminate"; restore it.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

// ---------------------------------------------------------------------------

/** Resolves with `promise`, or rejects with `message` after `ms`; never keeps the loop alive past settling. */
export function withDeadline<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function describeExit(exit: ExitInfo): string {
  if (exit.error) return `failed to start (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function readTail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

class PortInUseError extends Error {}

/** Starts the server and waits until it is ready; retries on a fresh port if the chosen one was taken meanwhile. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(spec);
    } catch (err) {
      if (!(err instanceof PortInUseError) || attempt >= BIND_ATTEMPTS) throw err;
    }
  }
}

async function startOnce(spec: ServerSpec): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), `lambda-observe-${spec.name}-`));
  const logPath = join(dir, 'server.log');
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });

  let args: string[];
  try {
    spec.setup?.(port, dir);
    args = spec.args(port, dir);
  } catch (err) {
    removeDir();
    throw err;
  }

  // Output goes to a file rather than a pipe: no pipe handles keep the test
  // process alive, and the tail is still there to explain a failure.
  const logFd = openSync(logPath, 'w');
  const started = performance.now();
  const child = spawn(spec.command, args, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  // The child must not keep the test process alive if a test forgets stop():
  // the exit hook below kills it then.
  child.unref();

  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve((exit ??= { code, signal })));
    child.once('error', (error) => resolve((exit ??= { code: null, signal: null, error })));
  });

  const unhook = onProcessExit(() => {
    if (!exit) child.kill('SIGKILL');
    removeDir();
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exit) {
        child.kill('SIGTERM');
        try {
          await withDeadline(exited, STOP_GRACE_MS, () => '');
        } catch {
          child.kill('SIGKILL');
          await withDeadline(exited, STOP_GRACE_MS, () => `${spec.name} (pid ${child.pid}) survived SIGKILL`);
        }
      }
      removeDir();
      unhook();
    })();
    return stopping;
  };

  const logTail = (lines = 20): string => readTail(logPath, lines);
  const readyUrl = url + spec.readyPath;
  const readyTimeoutMs = spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const deadline = started + readyTimeoutMs;
  let lastProblem = 'no answer yet';

  for (;;) {
    if (exit) {
      const tail = logTail();
      await stop();
      const message = `${spec.name} ${describeExit(exit)} before it was ready at ${readyUrl}; command: ${spec.command} ${args.join(' ')}\n--- output tail ---\n${tail}`;
      throw /address already in use/i.test(tail) ? new PortInUseError(message) : new Error(message);
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      const tail = logTail();
      await stop();
      throw new Error(
        `${spec.name} was not ready at ${readyUrl} within ${readyTimeoutMs} ms (last: ${lastProblem}); command: ${spec.command} ${args.join(' ')}\n--- output tail ---\n${tail}`,
      );
    }
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(Math.max(50, Math.min(1_000, remaining))) });
      await res.arrayBuffer();
      if (res.ok) break;
      lastProblem = `HTTP ${res.status}`;
    } catch (err) {
      lastProblem = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    }
    await Promise.race([exited, sleep(READY_POLL_MS)]);
  }

  return {
    name: spec.name,
    pid: child.pid!,
    port,
    url,
    dir,
    startedAt: started,
    startupMs: Math.round(performance.now() - started),
    logTail,
    stop,
  };
}
