/**
 * Runs one measured child process: Node 22 with a clean environment (only what the variant sets,
 * as on Lambda), stdout to a file or /dev/null, and result messages read from fd 3 and time-stamped
 * on arrival, so cold starts are also measured from outside the child.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ChildMessage {
  readonly at: number;
  readonly data: Record<string, unknown> & { type: string };
}

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** performance.now() just before spawn. */
  readonly startedAt: number;
  readonly exitedAt: number;
  readonly messages: readonly ChildMessage[];
  readonly stderr: string;
}

export interface ChildOptions {
  readonly script: string;
  readonly env: Record<string, string>;
  readonly execArgv?: readonly string[];
  /** A file for the child's stdout (its log lines); /dev/null when absent. */
  readonly stdoutFile?: string;
  readonly timeoutMs: number;
  /** Command prefix such as ['taskset', '-c', '0'] (see affinity.ts). */
  readonly prefix?: readonly string[];
}

const STDERR_KEEP = 8_000;

export function runChild(options: ChildOptions): Promise<ChildRun> {
  const stdoutFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : undefined;
  const messages: ChildMessage[] = [];
  let stderr = '';
  let pending = '';
  const startedAt = performance.now();
  const [command, ...args] = [...(options.prefix ?? []), process.execPath, ...(options.execArgv ?? []), options.script];
  const child = spawn(command!, args, {
    env: options.env,
    stdio: ['ignore', stdoutFd ?? 'ignore', 'pipe', 'pipe'],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  const results = child.stdio[3] as NodeJS.ReadableStream;
  results.setEncoding('utf8');
  results.on('data', (chunk: string) => {
    const at = performance.now();
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line) messages.push({ at, data: JSON.parse(line) as ChildMessage['data'] });
      newline = pending.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' (not 'exit'): every message on fd 3 has been read by then.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, startedAt, exitedAt: performance.now(), messages, stderr });
    });
  });
}

/** The child's message of `type`, or a descriptive error (with its stderr) when it did not send one. */
export function messageOf(run: ChildRun, type: string, what: string): ChildMessage {
  const found = run.messages.find((m) => m.data.type === type);
  if (found) return found;
  const error = run.messages.find((m) => m.data.type === 'error')?.data.message;
  throw new Error(
    `${what}: no "${type}" result (exit ${run.code ?? run.signal})${error ? `\n${String(error)}` : ''}${run.stderr ? `\nstderr:\n${run.stderr}` : ''}`,
  );
}
