// The emulator's public option and result types, and the error init failures reject with.
import type { LambdaEnvironment } from './environment.ts';
import type { ExitInfo } from './managed-process.ts';
import type { OutputLine } from './output-log.ts';

export interface EnvironmentOptions {
  /**
   * The runtime process, as Lambda's bootstrap execs it: e.g. [node, ricPath]. With `execWrapper`
   * the wrapper is put in front unless it already is command[0] (the RIC itself ignores
   * AWS_LAMBDA_EXEC_WRAPPER; Lambda's bootstrap script applies it).
   */
  command: readonly string[];
  /** _HANDLER, e.g. 'echo.handler'. */
  handler: string;
  /** LAMBDA_TASK_ROOT, the function's code (/var/task). */
  taskRoot: string;
  /** Working directory of every process (default: taskRoot, as in Lambda). */
  cwd?: string;
  /** The layers' directory (/opt): every executable file in <optDir>/extensions is started as an external extension. */
  optDir?: string;
  /** The function's environment variables, given to the runtime and the extensions. */
  env?: Record<string, string>;
  /** AWS_LAMBDA_EXEC_WRAPPER. */
  execWrapper?: string;
  /** NODE_PATH; default as Lambda sets it: <optDir>/nodejs/node22/node_modules:<optDir>/nodejs/node_modules:<taskRoot>. */
  nodePath?: string;
  functionName?: string;
  functionVersion?: string;
  memorySizeMb?: number;
  region?: string;
  /** Default invocation timeout (Lambda's default: 3 s). */
  timeoutMs?: number;
  /** Init phase limit (Lambda: 10 s). */
  initTimeoutMs?: number;
  /** SIGSTOP the sandbox whenever it is idle, as Lambda freezes it (default true). */
  freeze?: boolean;
  /** Called after each invocation, once the sandbox is frozen; invoke() resolves after it. */
  onFrozen?: (requestId: string, environment: LambdaEnvironment) => void | Promise<void>;
}

export interface InvokeOptions {
  timeoutMs?: number;
  /** Sent as Lambda-Runtime-Client-Context (JSON). */
  clientContext?: object;
  /** Lambda-Runtime-Trace-Id; default a fresh unsampled X-Ray header; null sends none. */
  traceId?: string | null;
  requestId?: string;
  /** In addition to the environment's onFrozen. */
  onFrozen?: (requestId: string, environment: LambdaEnvironment) => void | Promise<void>;
}

export type InvokeStatus = 'success' | 'error' | 'timeout' | 'crash';

export interface InvokeError {
  errorType: string | undefined;
  errorMessage: string | undefined;
  /** The whole parsed error body. */
  body: unknown;
  /** Headers of the runtime's error post (lower-case), e.g. lambda-runtime-function-error-type. */
  headers: Record<string, string>;
}

export interface InvokeResult {
  requestId: string;
  status: InvokeStatus;
  /** The parsed response (success; also kept if the deadline passed after the response). */
  response?: unknown;
  /** error: what the runtime posted. timeout / crash: what Lambda reports (Sandbox.Timedout, Runtime.ExitError, Extension.Crash). */
  error?: InvokeError;
  /** From invoke() to the runtime's response or error, the deadline, or the crash. */
  durationMs: number;
  /** From invoke() until the runtime and every extension were back in `next` (absent if they never were). */
  settledMs?: number;
  /** The sandbox is frozen now. */
  frozen: boolean;
  /** timeout after the response: the extensions (or 'runtime') still busy at the deadline. */
  busyAtDeadline?: string[];
  /** crash: the exit that caused it. */
  exit?: ExitInfo;
  /** timeout / crash: Lambda resets the environment; this one cannot be invoked again (start a new one). */
  reset?: ShutdownResult;
}

export type ShutdownReason = 'spindown' | 'timeout' | 'failure';

export interface SignalRecord {
  /** 'runtime', 'extension:<name>' or 'leftover' (a process the sandbox's processes started). */
  target: string;
  pid: number;
  signal: NodeJS.Signals;
  atMs: number;
}

export interface ShutdownResult {
  reason: ShutdownReason;
  /** Every process exited by itself (after SIGTERM / SHUTDOWN), no SIGKILL was needed. */
  exitedCleanly: boolean;
  signalsSent: SignalRecord[];
  exits: ExitInfo[];
  durationMs: number;
}

export type InitFailureKind = 'init-error' | 'extension-init-error' | 'crash' | 'timeout';

/** startEnvironment() rejects with this when init fails; the environment has already been reset. */
export class LambdaInitFailure extends Error {
  readonly kind: InitFailureKind;
  /** From the init/error post (header Lambda-Runtime-Function-Error-Type / Lambda-Extension-Function-Error-Type). */
  readonly errorType: string | undefined;
  readonly body: unknown;
  /** The runtime's exit (it usually exits after posting init/error), or the crash. */
  readonly exit: ExitInfo | undefined;
  readonly reset: ShutdownResult;
  readonly output: OutputLine[];

  constructor(
    message: string,
    details: { kind: InitFailureKind; errorType?: string; body?: unknown; exit?: ExitInfo; reset: ShutdownResult; output: OutputLine[] },
  ) {
    super(message);
    this.name = 'LambdaInitFailure';
    this.kind = details.kind;
    this.errorType = details.errorType;
    this.body = details.body;
    this.exit = details.exit;
    this.reset = details.reset;
    this.output = details.output;
  }
}

/** initializing → idle ⇄ invoking; resetting (timeout, crash, init failure, shutdown) → dead. */
export type EnvironmentState = 'initializing' | 'idle' | 'invoking' | 'resetting' | 'dead';
