/**
 * CPU pinning: the measured function gets CPU 0 to itself (as far as this harness is concerned) and
 * the harness with its receivers (OTLP receiver, Pushgateway, X-Ray socket) runs on the last CPU.
 * On Lambda the collector and the Pushgateway are other machines; here they would otherwise
 * compete with the function for the same two cores and charge their decoding to its latency.
 * Without `taskset` (or with one CPU) nothing is pinned and the report says so.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const TASKSET = '/usr/bin/taskset';

export interface Pinning {
  /** Prefix for a measured child's command line, e.g. ['taskset', '-c', '0']; empty when not pinning. */
  readonly childPrefix: readonly string[];
  readonly description: string;
}

export function pinHarness(): Pinning {
  const cpus = availableParallelism();
  if (cpus < 2) return { childPrefix: [], description: 'not pinned (one CPU)' };
  const harnessCpu = String(cpus - 1);
  const pinned = spawnSync(TASKSET, ['-a', '-p', '-c', harnessCpu, String(process.pid)], { encoding: 'utf8' });
  if (pinned.error || pinned.status !== 0) return { childPrefix: [], description: 'not pinned (taskset unavailable)' };
  return {
    childPrefix: [TASKSET, '-c', '0'],
    description: `function pinned to CPU 0, harness and receivers to CPU ${harnessCpu}`,
  };
}
