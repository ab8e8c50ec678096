/**
 * Parent side of the traces integration tests: runs one scenario of traces-scenarios.ts in a
 * child process with a Lambda-like environment plus the test's OTEL_* variables, and returns its
 * stdout as parsed JSON lines (the library's log lines, the wide event, the scenario's result).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const SCENARIOS = join(import.meta.dirname, 'traces-scenarios.ts');

/** What every scenario runs with: the variables Lambda sets, nothing inherited from this process. */
export const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders',
  AWS_LAMBDA_FUNCTION_VERSION: '7',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/22/[7]0123456789abcdef',
  AWS_REGION: 'eu-west-1',
  OTEL_SERVICE_NAME: 'orders-api',
} as const;

export interface ScenarioRun {
  /** Every stdout line, parsed. */
  readonly lines: Array<Record<string, unknown>>;
  /** The scenario's own `{"test.result": …}` line. */
  readonly result: Record<string, unknown>;
  /** The wide events (`event.name` = `faas.invocation`). */
  readonly wideEvents: Array<Record<string, unknown>>;
  /** Lines written by lambda-observe itself at warn level. */
  readonly warnings: Array<Record<string, unknown>>;
  readonly stderr: string;
}

export function runScenario(scenario: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ScenarioRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SCENARIOS, scenario],
      { env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`scenario ${scenario} failed: ${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
          return;
        }
        const lines = stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => {
            try {
              return JSON.parse(line) as Record<string, unknown>;
            } catch {
              throw new Error(`scenario ${scenario} wrote a line that is not JSON: ${line}`);
            }
          });
        const result = lines.find((line) => line['test.result'] === scenario);
        if (!result) {
          reject(new Error(`scenario ${scenario} printed no result\nstdout:\n${stdout}\nstderr:\n${stderr}`));
          return;
        }
        resolve({
          lines,
          result,
          wideEvents: lines.filter((line) => (line.event as { name?: string } | undefined)?.name === 'faas.invocation'),
          warnings: lines.filter((line) => line.level === 'warn' && line.logger === 'lambda-observe'),
          stderr,
        });
      },
    );
  });
}
