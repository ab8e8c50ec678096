// One Lambda execution environment (sandbox): external extensions and the runtime process,
// their init, invocations one at a time, the freeze between invocations, and the reset or
// shutdown sequence. Phase rules and signal order follow Lambda's API server (RAPID), whose
// source AWS publishes as aws-lambda-runtime-interface-emulator.
import { randomBytes, randomUUID } from 'node:crypto';
import { ChangeSignal, deferred } from './changes.ts';
import { discoverExtensions } from './discovery.ts';
import { extensionEnv, functionArn, runtimeEnv, type FunctionConfig } from './env-vars.ts';
import { ExtensionsApi, type RegisteredExtension } from './extensions-api.ts';
import { parseJson, startApiServer, type ApiServer } from './http.ts';
import { ManagedProcess, type ExitInfo } from './managed-process.ts';
import { OutputLog, type LineFilter, type OutputLine } from './output-log.ts';
import { signalTree, treeOf, trySignal, waitUntilStopped } from './proc.ts';
import { RuntimeApi, type RuntimeOutcome } from './runtime-api.ts';
import {
  LambdaInitFailure,
  type EnvironmentOptions,
  type EnvironmentState,
  type InitFailureKind,
  type InvokeError,
  type InvokeOptions,
  type InvokeResult,
  type ShutdownReason,
  type ShutdownResult,
  type SignalRecord,
} from './types.ts';

interface InitProblem {
  kind: InitFailureKind;
  errorType?: string;
  body?: unknown;
  exit?: ExitInfo;
  detail: string;
}

const DEFAULT_SHUTDOWN_BUDGET_MS = 2000;
// RAPID gives the runtime this share of the shutdown budget before SIGKILL, the rest to extensions.
const RUNTIME_SHARE_OF_SHUTDOWN = 0.3;
// After a reset, how long to wait for killed processes to be reaped (RAPID: maxProcessExitWait).
const MAX_PROCESS_EXIT_WAIT_MS = 2000;
// After init/error the RIC exits by itself; giving it a moment lets tests see how it exits.
const INIT_ERROR_EXIT_GRACE_MS = 500;
// How long a SIGSTOPped process may take to actually stop (one in uninterruptible I/O waits).
const FREEZE_SETTLE_MS = 1000;
// Processes the sandbox's own processes started get this long to die with them before they
// count as left behind and are killed.
const LEFTOVER_GRACE_MS = 200;

/** Environments not yet shut down or disposed, killed if the test process exits without cleaning up. */
const live = new Set<LambdaEnvironment>();
let exitHookInstalled = false;

export class LambdaEnvironment {
  /** host:port the processes see as AWS_LAMBDA_RUNTIME_API. */
  runtimeApiAddress = '';
  readonly output = new OutputLog();
  /** Resolves on the first process exit the emulator did not cause (runtime or extension crash); never otherwise. */
  readonly exited: Promise<ExitInfo>;
  initDurationMs: number | undefined;

  #options: EnvironmentOptions;
  #config: FunctionConfig;
  #extensionFiles: string[];
  #changes = new ChangeSignal();
  #runtimeApi: RuntimeApi;
  #extensionsApi: ExtensionsApi;
  #server: ApiServer | undefined;
  #runtime: ManagedProcess | undefined;
  #extensions: ManagedProcess[] = [];
  #state: EnvironmentState = 'initializing';
  #frozen = false;
  #unexpectedExit: ExitInfo | undefined;
  #resolveExited: (exit: ExitInfo) => void;
  #reset: Promise<ShutdownResult> | undefined;

  private constructor(options: EnvironmentOptions, extensionFiles: string[]) {
    this.#options = options;
    this.#extensionFiles = extensionFiles;
    this.#config = {
      functionName: options.functionName ?? 'lambda-observe-e2e',
      functionVersion: options.functionVersion ?? '$LATEST',
      memorySizeMb: options.memorySizeMb ?? 128,
      region: options.region ?? 'us-east-1',
      accountId: '123456789012',
      handler: options.handler,
      taskRoot: options.taskRoot,
      optDir: options.optDir,
      nodePath: options.nodePath,
      execWrapper: options.execWrapper,
      customerEnv: options.env ?? {},
    };
    const onChange = () => this.#changes.notify();
    this.#runtimeApi = new RuntimeApi(onChange);
    this.#extensionsApi = new ExtensionsApi({
      externalNames: extensionFiles.map(baseName),
      metadata: {
        functionName: this.#config.functionName,
        functionVersion: this.#config.functionVersion,
        handler: this.#config.handler,
        accountId: this.#config.accountId,
      },
      onChange,
    });
    const exited = deferred<ExitInfo>();
    this.exited = exited.promise;
    this.#resolveExited = exited.resolve;
  }

  /** Starts extensions and runtime and waits until init is done (then freezes the sandbox). */
  static async start(options: EnvironmentOptions): Promise<LambdaEnvironment> {
    const environment = new LambdaEnvironment(options, await discoverExtensions(options.optDir));
    installExitHook();
    live.add(environment);
    try {
      await environment.#initialize();
    } catch (error) {
      await environment.dispose();
      throw error;
    }
    return environment;
  }

  get state(): EnvironmentState {
    return this.#state;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  get runtimePid(): number | undefined {
    return this.#runtime?.pid;
  }

  /** Pid of each external extension, by file name. */
  get extensionPids(): Record<string, number> {
    return Object.fromEntries(this.#extensions.map((p) => [p.source.slice('extension:'.length), p.pid]));
  }

  /** Every live process of the sandbox: runtime, extensions and whatever they started. */
  processIds(): number[] {
    return treeOf(this.#roots()).map((p) => p.pid);
  }

  /** Extensions that registered, external and internal. */
  get extensions(): RegisteredExtension[] {
    return this.#extensionsApi.registered;
  }

  stdoutLines(source?: string): string[] {
    return this.output.lines({ source, stream: 'stdout' });
  }

  stderrLines(source?: string): string[] {
    return this.output.lines({ source, stream: 'stderr' });
  }

  waitForLine(predicate: (line: string, entry: OutputLine) => boolean, options: LineFilter & { timeoutMs: number }): Promise<OutputLine> {
    return this.output.waitForLine(predicate, options);
  }

  async #initialize(): Promise<void> {
    const started = Date.now();
    const deadline = started + (this.#options.initTimeoutMs ?? 10_000);
    this.#server = await startApiServer([this.#runtimeApi.handle, this.#extensionsApi.handle]);
    this.runtimeApiAddress = this.#server.address;
    const envForRuntime = runtimeEnv(this.#config, this.runtimeApiAddress);
    const cwd = this.#options.cwd ?? this.#options.taskRoot;

    // Lambda starts the external extensions first and waits for all of them to register
    // before it starts the runtime (RAPID: AwaitExternalAgentsRegistered).
    for (const file of this.#extensionFiles) {
      this.#extensions.push(this.#spawn(`extension:${baseName(file)}`, [file], extensionEnv(envForRuntime), cwd));
    }
    const names = this.#extensionFiles.map(baseName);
    const registered = await this.#changes.until(
      () => this.#initProblem() ?? (names.every((n) => this.#extensionsApi.byName(n)) ? 'ok' : undefined),
      deadline,
    );
    if (registered !== 'ok') {
      const missing = names.filter((n) => !this.#extensionsApi.byName(n));
      return this.#failInit(registered ?? { kind: 'timeout', detail: `extensions did not register in time: ${missing.join(', ')}` }, started);
    }

    const wrapper = this.#options.execWrapper;
    const command = wrapper !== undefined && this.#options.command[0] !== wrapper ? [wrapper, ...this.#options.command] : [...this.#options.command];
    this.#runtime = this.#spawn('runtime', command, envForRuntime, cwd);

    // Init ends when the runtime asks for its first invocation and every extension that
    // registered (external, or internal from inside the runtime's tree) waits for its next event.
    const ready = await this.#changes.until(
      () => this.#initProblem() ?? (this.#runtimeApi.nextCalls > 0 && this.#idle() ? 'ok' : undefined),
      deadline,
    );
    if (ready !== 'ok') {
      return this.#failInit(ready ?? { kind: 'timeout', detail: `init did not finish in time; not ready: ${this.#busy().join(', ')}` }, started);
    }
    this.#extensionsApi.closeRegistration();
    this.initDurationMs = Date.now() - started;
    this.#state = 'idle';
    await this.#freeze();
  }

  #initProblem(): InitProblem | undefined {
    const initError = this.#runtimeApi.initError;
    if (initError) {
      const body = parseJson(initError.body);
      const errorType = initError.headers['lambda-runtime-function-error-type'] ?? (body as { errorType?: string } | null)?.errorType;
      return { kind: 'init-error', errorType, body, detail: `runtime reported init error ${errorType}: ${errorMessageOf(body) ?? initError.body}` };
    }
    const failed = this.#extensionsApi.registered.find((e) => e.initError);
    if (failed?.initError) {
      const { errorType, body } = failed.initError;
      return { kind: 'extension-init-error', errorType, body: parseJson(body), detail: `extension ${failed.name} reported init error ${errorType}` };
    }
    if (this.#unexpectedExit) return { kind: 'crash', exit: this.#unexpectedExit, detail: `${describeExit(this.#unexpectedExit)} during init` };
    return undefined;
  }

  async #failInit(problem: InitProblem, started: number): Promise<never> {
    if (problem.kind === 'init-error' && this.#runtime) await this.#runtime.exitedBy(Date.now() + INIT_ERROR_EXIT_GRACE_MS);
    const exit = problem.exit ?? this.#runtime?.exit;
    const reset = await this.#resetSandbox(problem.kind === 'timeout' ? 'timeout' : 'failure', DEFAULT_SHUTDOWN_BUDGET_MS);
    await this.output.settle();
    throw new LambdaInitFailure(`Lambda init failed after ${Date.now() - started} ms: ${problem.detail}\n${this.output.tail()}`, {
      kind: problem.kind,
      errorType: problem.errorType,
      body: problem.body,
      exit,
      reset,
      output: [...this.output.entries],
    });
  }

  /**
   * Runs one invocation like Lambda: thaw, hand the event to the runtime and INVOKE to the
   * extensions, wait for the response, then until runtime and extensions are all back in
   * `next`, freeze, call onFrozen. A timeout or crash resets the environment.
   */
  async invoke(event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    if (this.#state === 'invoking') throw new Error('invoke() while another invocation runs: Lambda runs one at a time per environment');
    if (this.#state !== 'idle') throw new Error(`Cannot invoke: the environment is ${this.#state} (after a timeout, crash or shutdown, start a new one)`);
    const requestId = options.requestId ?? randomUUID();
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 3000;
    const started = Date.now();
    const deadlineMs = started + timeoutMs;
    const elapsed = () => Date.now() - started;
    this.#state = 'invoking';

    if (this.#unexpectedExit) {
      // Something died while idle; Lambda finds out on the next invocation.
      return this.#crashResult(requestId, this.#unexpectedExit, elapsed());
    }
    this.#thaw();

    const traceId = options.traceId === undefined ? newTraceId() : (options.traceId ?? undefined);
    const invokedFunctionArn = functionArn(this.#config);
    this.#extensionsApi.dispatch({ eventType: 'INVOKE', deadlineMs, requestId, invokedFunctionArn, tracing: traceId ? { type: 'X-Amzn-Trace-Id', value: traceId } : undefined });
    this.#runtimeApi.enqueue({
      requestId,
      eventJson: event === undefined ? '{}' : JSON.stringify(event),
      deadlineMs,
      invokedFunctionArn,
      traceId,
      clientContext: options.clientContext === undefined ? undefined : JSON.stringify(options.clientContext),
    });

    const first = await this.#changes.until((): { outcome: RuntimeOutcome } | { exit: ExitInfo } | undefined => {
      if (this.#unexpectedExit) return { exit: this.#unexpectedExit };
      const outcome = this.#runtimeApi.outcomeOf(requestId);
      return outcome ? { outcome } : undefined;
    }, deadlineMs);
    const durationMs = elapsed();
    if (!first) return this.#timeoutResult(requestId, timeoutMs, durationMs, undefined, ['runtime', ...this.#extensionsApi.busy()]);
    if ('exit' in first) return this.#crashResult(requestId, first.exit, durationMs);

    const outcome = fromOutcome(first.outcome);
    // Lambda's invocation ends when the runtime and every extension are done, i.e. back in
    // `next`: extensions run after the response (flushing telemetry) on the function's clock.
    const settled = await this.#changes.until(() => (this.#unexpectedExit ? 'crash' : this.#idle() ? 'idle' : undefined), deadlineMs);
    if (!settled) return this.#timeoutResult(requestId, timeoutMs, durationMs, outcome, this.#busy());
    if (settled === 'crash') {
      // E.g. an extension dying while it flushes after the response: the caller got the
      // response, the environment is reset all the same.
      const crash = await this.#crashResult(requestId, this.#unexpectedExit!, durationMs);
      return outcome.response !== undefined ? { ...crash, response: outcome.response } : crash;
    }

    const result: InvokeResult = { requestId, ...outcome, durationMs, settledMs: elapsed(), frozen: false };
    this.#state = 'idle';
    await this.#freeze();
    result.frozen = this.#frozen;
    if (this.#frozen) {
      await this.output.settle();
      await this.#options.onFrozen?.(requestId, this);
      await options.onFrozen?.(requestId, this);
    }
    return result;
  }

  async #timeoutResult(
    requestId: string,
    timeoutMs: number,
    durationMs: number,
    outcome: Pick<InvokeResult, 'status' | 'response' | 'error'> | undefined,
    busy: string[],
  ): Promise<InvokeResult> {
    const reset = await this.#resetSandbox('timeout', DEFAULT_SHUTDOWN_BUDGET_MS);
    return {
      requestId,
      status: 'timeout',
      ...(outcome?.response !== undefined ? { response: outcome.response } : {}),
      error: lambdaError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`),
      durationMs,
      frozen: false,
      busyAtDeadline: busy,
      reset,
    };
  }

  async #crashResult(requestId: string, exit: ExitInfo, durationMs: number): Promise<InvokeResult> {
    const reset = await this.#resetSandbox('failure', DEFAULT_SHUTDOWN_BUDGET_MS);
    const errorType = exit.source === 'runtime' ? 'Runtime.ExitError' : 'Extension.Crash';
    const who = exit.source === 'runtime' ? 'Runtime' : exit.source;
    return {
      requestId,
      status: 'crash',
      error: lambdaError(errorType, `RequestId: ${requestId} Error: ${who} exited with error: ${goExitStatus(exit)}`),
      durationMs,
      frozen: false,
      exit,
      reset,
    };
  }

  /** Resumes a frozen sandbox (invoke and shutdown do this themselves). */
  thaw(): void {
    this.#thaw();
  }

  /**
   * Lambda's shutdown (spindown): thaw; if any extension registered, SIGTERM the runtime and
   * SIGKILL it after 30% of the budget, then SHUTDOWN to the external extensions subscribed
   * (the others are SIGKILLed) and SIGKILL whichever has not exited by the deadline. Without
   * extensions the runtime gets SIGKILL straight away. Returns the same result when called again.
   */
  async shutdown(options: { deadlineMs?: number } = {}): Promise<ShutdownResult> {
    return this.#resetSandbox('spindown', options.deadlineMs ?? DEFAULT_SHUTDOWN_BUDGET_MS);
  }

  /** Kills everything at once and closes the API server; idempotent. For test cleanup. */
  async dispose(): Promise<void> {
    if (this.#state !== 'dead' && this.#state !== 'resetting') {
      this.#state = 'dead';
      signalTree(this.#roots(), 'SIGKILL');
    }
    await this.#reset?.catch(() => undefined);
    await Promise.all(this.#processes().map((p) => p.exitedBy(Date.now() + MAX_PROCESS_EXIT_WAIT_MS)));
    await this.#server?.close();
    live.delete(this);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** Kills synchronously; only for the process 'exit' hook. */
  killNow(): void {
    signalTree(this.#roots(), 'SIGKILL');
  }

  #resetSandbox(reason: ShutdownReason, budgetMs: number): Promise<ShutdownResult> {
    this.#reset ??= this.#runReset(reason, budgetMs);
    return this.#reset;
  }

  async #runReset(reason: ShutdownReason, budgetMs: number): Promise<ShutdownResult> {
    this.#state = 'resetting';
    const started = Date.now();
    const signalsSent: SignalRecord[] = [];
    const send = (proc: ManagedProcess, signal: NodeJS.Signals, wholeTree: boolean) => {
      if (!proc.alive && !wholeTree) return;
      signalsSent.push({ target: proc.source, pid: proc.pid, signal, atMs: Date.now() });
      if (wholeTree) proc.signalTree(signal);
      else proc.signal(signal);
    };
    // A stopped process would not act on SIGTERM or SHUTDOWN before SIGCONT.
    this.#thaw();
    const runtime = this.#runtime;

    if (this.#extensionsApi.registered.length === 0) {
      // RAPID: "We do not spend any compute time on runtime graceful shutdown if there are no agents".
      if (runtime?.alive) send(runtime, 'SIGKILL', true);
    } else {
      const runtimeDeadline = started + budgetMs * RUNTIME_SHARE_OF_SHUTDOWN;
      const extensionsDeadline = started + budgetMs;
      if (runtime?.alive) {
        send(runtime, 'SIGTERM', false);
        if (!(await runtime.exitedBy(runtimeDeadline))) send(runtime, 'SIGKILL', true);
      }
      const awaiting: ManagedProcess[] = [];
      for (const extension of this.#extensions) {
        if (!extension.alive) continue;
        const registration = this.#extensionsApi.byName(extension.source.slice('extension:'.length));
        if (registration?.events.has('SHUTDOWN')) awaiting.push(extension);
        else send(extension, 'SIGKILL', true);
      }
      this.#extensionsApi.dispatch({ eventType: 'SHUTDOWN', shutdownReason: reason, deadlineMs: extensionsDeadline }, (e) => e.external);
      await Promise.all(
        awaiting.map(async (extension) => {
          if (!(await extension.exitedBy(extensionsDeadline))) send(extension, 'SIGKILL', true);
        }),
      );
    }

    await Promise.all(this.#processes().map((p) => p.exitedBy(Date.now() + MAX_PROCESS_EXIT_WAIT_MS)));
    // Processes the runtime or extensions started and left behind die with the sandbox.
    const graceEnd = Date.now() + LEFTOVER_GRACE_MS;
    while (treeOf(this.#roots()).length > 0 && Date.now() < graceEnd) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const leftover of treeOf(this.#roots())) {
      if (trySignal(leftover.pid, 'SIGKILL')) signalsSent.push({ target: 'leftover', pid: leftover.pid, signal: 'SIGKILL', atMs: Date.now() });
    }
    await this.output.closed(200);
    this.#state = 'dead';
    await this.#server?.close();
    live.delete(this);
    return {
      reason,
      exitedCleanly: !signalsSent.some((s) => s.signal === 'SIGKILL'),
      signalsSent,
      exits: this.#processes().flatMap((p) => (p.exit ? [p.exit] : [])),
      durationMs: Date.now() - started,
    };
  }

  #spawn(source: string, command: string[], env: Record<string, string>, cwd: string): ManagedProcess {
    const proc = new ManagedProcess({ source, command, env, cwd, output: this.output });
    void proc.exited.then((exit) => {
      // Exits during a reset or shutdown are the point of it; any other is a crash.
      if (this.#state === 'resetting' || this.#state === 'dead') return;
      if (!this.#unexpectedExit) {
        this.#unexpectedExit = exit;
        this.#resolveExited(exit);
      }
      this.#changes.notify();
    });
    return proc;
  }

  #processes(): ManagedProcess[] {
    return [...this.#extensions, ...(this.#runtime ? [this.#runtime] : [])];
  }

  #roots(): number[] {
    return this.#processes()
      .map((p) => p.pid)
      .filter((pid) => pid > 0);
  }

  /** The runtime and every registered extension wait in `next`: Lambda may freeze now. */
  #idle(): boolean {
    return this.#runtimeApi.waitingForNext && this.#extensionsApi.allWaiting();
  }

  #busy(): string[] {
    return [...(this.#runtimeApi.waitingForNext ? [] : ['runtime']), ...this.#extensionsApi.busy()];
  }

  async #freeze(): Promise<void> {
    if (this.#options.freeze === false || this.#frozen) return;
    signalTree(this.#roots(), 'SIGSTOP');
    this.#frozen = true;
    await waitUntilStopped(this.#roots(), FREEZE_SETTLE_MS);
  }

  #thaw(): void {
    if (!this.#frozen) return;
    signalTree(this.#roots(), 'SIGCONT');
    this.#frozen = false;
  }
}

function fromOutcome(outcome: RuntimeOutcome): Pick<InvokeResult, 'status' | 'response' | 'error'> {
  const body = parseJson(outcome.body);
  if (outcome.kind === 'response') return { status: 'success', response: body };
  const fields = (body ?? {}) as { errorType?: unknown; errorMessage?: unknown };
  return {
    status: 'error',
    error: {
      errorType: typeof fields.errorType === 'string' ? fields.errorType : outcome.headers['lambda-runtime-function-error-type'],
      errorMessage: typeof fields.errorMessage === 'string' ? fields.errorMessage : undefined,
      body,
      headers: outcome.headers,
    },
  };
}

function lambdaError(errorType: string, errorMessage: string): InvokeError {
  return { errorType, errorMessage, body: { errorType, errorMessage }, headers: {} };
}

function errorMessageOf(body: unknown): string | undefined {
  const message = (body as { errorMessage?: unknown } | null)?.errorMessage;
  return typeof message === 'string' ? message : undefined;
}

/** How Go's os/exec (RAPID) words an exit: "exit status 1", "signal: killed". */
function goExitStatus(exit: ExitInfo): string {
  if (exit.spawnError) return exit.spawnError;
  if (exit.signal) {
    const words: Partial<Record<NodeJS.Signals, string>> = { SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGINT: 'interrupt' };
    return `signal: ${words[exit.signal] ?? exit.signal}`;
  }
  return `exit status ${exit.code}`;
}

function describeExit(exit: ExitInfo): string {
  return `${exit.source} (pid ${exit.pid}) exited with ${exit.spawnError ?? exit.signal ?? `code ${exit.code}`}`;
}

/** An unsampled X-Ray trace header, the shape Lambda passes even when tracing is off. */
function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Detached process groups outlive the test process unless killed; a failing test that skips
  // its cleanup must not leave runtimes and extensions behind.
  process.on('exit', () => {
    for (const environment of live) environment.killNow();
  });
}
