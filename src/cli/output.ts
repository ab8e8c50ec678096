/** Where the CLI writes: stdout for the run, stderr for its own problems; both flushed before exit. */

export interface Output {
  /** Lines of the run (each gets a newline). */
  lines(lines: readonly string[]): void;
  /** Raw text of the run, as is. */
  raw(text: string): void;
  /** One line about the CLI's own trouble, on stderr. */
  problem(line: string): void;
  /** Resolves when everything written has been handed to the OS. */
  drained(): Promise<void>;
}

export function createOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  // `lambda-observe … | head`: once the reader is gone there is nobody left to tell; stop quietly.
  for (const stream of [stdout, stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  return {
    lines(lines) {
      if (lines.length > 0) stdout.write(`${lines.join('\n')}\n`);
    },
    raw(text) {
      stdout.write(text);
    },
    problem(line) {
      stderr.write(`${line}\n`);
    },
    drained: () =>
      Promise.all([stdout, stderr].map((stream) => new Promise<void>((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve()))))).then(
        () => undefined,
      ),
  };
}

/** Columns to lay the view out in: the terminal's width, or 100 when not a terminal. */
export function viewWidth(stdout: { columns?: number; isTTY?: boolean }): number {
  const columns = stdout.isTTY && stdout.columns ? stdout.columns : 100;
  return Math.max(72, Math.min(140, columns));
}
