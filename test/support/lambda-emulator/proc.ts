// Process-tree inspection through /proc (Linux). Lambda freezes and kills a whole sandbox
// (cgroup); the closest a test harness gets is "every process group we started, plus every
// descendant of those processes", because a wrapper or an extension may start children that
// change group (setsid). Without /proc (macOS) only the process groups are covered.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Kernel state letter: R running, S sleeping, D disk wait, T stopped, t traced, Z zombie … */
  state: string;
}

/** Reads /proc/<pid>/stat; undefined if the process is gone (or /proc does not exist). */
export function readProc(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgid: Number(fields[2]) };
}

/** The kernel state letter of a process ('T' while SIGSTOPped), or undefined if it is gone. */
export function processState(pid: number): string | undefined {
  return readProc(pid)?.state;
}

function allProcesses(): ProcInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const result: ProcInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) result.push(info);
  }
  return result;
}

/**
 * Live (non-zombie) processes belonging to the given roots: members of the process groups the
 * roots lead (we start every root detached, so its pid is its group id) and all descendants.
 */
export function treeOf(roots: readonly number[]): ProcInfo[] {
  const groups = new Set(roots);
  const processes = allProcesses().filter((p) => p.pid !== process.pid);
  const members = new Set<number>(processes.filter((p) => groups.has(p.pid) || groups.has(p.pgid)).map((p) => p.pid));
  // Descendants that left the group (setsid, or a shell starting a job in a new group).
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) {
      if (!members.has(p.pid) && (members.has(p.ppid) || groups.has(p.ppid))) {
        members.add(p.pid);
        grew = true;
      }
    }
  }
  return processes.filter((p) => members.has(p.pid) && p.state !== 'Z');
}

/** Sends `signal` to each root's process group and to every other process in their tree. */
export function signalTree(roots: readonly number[], signal: NodeJS.Signals): number[] {
  const signalled: number[] = [];
  for (const root of roots) {
    // The group first: one kill(2) reaches all members at once, so none of them can observe
    // a half-frozen sandbox for long.
    if (trySignal(-root, signal)) signalled.push(-root);
  }
  const groups = new Set(roots);
  for (const p of treeOf(roots)) {
    if (!groups.has(p.pgid) && trySignal(p.pid, signal)) signalled.push(p.pid);
  }
  return signalled;
}

export function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone (ESRCH): nothing to do
  }
}

/**
 * Waits until every process of the tree is stopped (state T). kill(SIGSTOP) returns before the
 * kernel has stopped the targets; a freeze only counts once they really are.
 */
export async function waitUntilStopped(roots: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (treeOf(roots).every((p) => p.state === 'T' || p.state === 't')) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
