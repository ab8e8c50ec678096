// One process of the sandbox (the runtime, or one external extension), started in its own
// process group so that it and everything it starts can be frozen, thawed and killed together.
import { spawn } from 'node:child_process';
import { deferred } from './changes.ts';
import type { OutputLog } from './output-log.ts';
import { signalTree, treeOf, trySignal } from './proc.ts';

export interface ExitInfo {
  /** 'runtime' or 'extension:<file name>'. */
  source: string;
  pid: number | undefined;
  /** Exit code, or null if killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES …). */
  spawnError?: string;
  atMs: number;
}

export interface SpawnOptions {
  source: string;
  command: readonly string[];
  env: Record<string, string>;
  cwd: string;
  output: OutputLog;
}

export class ManagedProcess {
  readonly source: string;
  /** -1 if the process could not be started. */
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;

  constructor(options: SpawnOptions) {
    this.source = options.source;
    const [file, ...args] = options.command;
    if (!file) throw new Error(`${options.source}: empty command`);
    const done = deferred<ExitInfo>();
    this.exited = done.promise;
    const finish = (info: Omit<ExitInfo, 'source' | 'pid' | 'atMs'>) => {
      if (this.exit) return;
      this.exit = { source: this.source, pid: this.pid > 0 ? this.pid : undefined, atMs: Date.now(), ...info };
      done.resolve(this.exit);
    };

    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      // Own process group: kill(-pid) then reaches the process and whatever it starts.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = child.pid ?? -1;
    options.output.attach(this.source, 'stdout', child.stdout);
    options.output.attach(this.source, 'stderr', child.stderr);
    child.on('error', (error) => finish({ code: null, signal: null, spawnError: error.message }));
    // 'exit', not 'close': the process is gone even if a grandchild still holds its pipes.
    child.on('exit', (code, signal) => finish({ code, signal }));
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Signals this process only (Lambda's SIGTERM goes to the runtime process, not its children). */
  signal(signal: NodeJS.Signals): boolean {
    return this.alive && trySignal(this.pid, signal);
  }

  /** Signals the process group and every descendant, including ones that left the group. */
  signalTree(signal: NodeJS.Signals): number[] {
    return this.pid > 0 ? signalTree([this.pid], signal) : [];
  }

  /** Live pids of this process's tree (itself included while alive). */
  treePids(): number[] {
    return this.pid > 0 ? treeOf([this.pid]).map((p) => p.pid) : [];
  }

  /** True if the process exited before `deadlineMs` (epoch ms). */
  async exitedBy(deadlineMs: number): Promise<boolean> {
    if (this.exit) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs - Date.now()))));
    const result = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }
}
