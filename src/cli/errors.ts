/**
 * The CLI's own failures: bad input the user can fix (a missing file, invalid JSON). They end the
 * run with one line on stderr; anything else is a bug and keeps its stack under `--verbose`.
 */

/** Exit codes: 1 = an invocation failed (error or timeout), 2 = bad input or usage. */
export const EXIT = { ok: 0, invocationFailed: 1, badInput: 2 } as const;

/** A problem with what the user asked for, reported as one line. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.badInput, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** One line describing any thrown value, without a stack. */
export function oneLine(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`.split('\n')[0] ?? '';
  try {
    return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
