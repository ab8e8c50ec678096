// Everything the sandbox's processes print, line by line, as CloudWatch Logs would get it.
// Tests read it to see what the runtime, the handler and extensions did; waits have a time
// limit and fail with the tail of the output, which is usually the explanation.
import type { Readable } from 'node:stream';
import { ChangeSignal } from './changes.ts';

export type StreamName = 'stdout' | 'stderr';

export interface OutputLine {
  /** 'runtime' or 'extension:<file name>'. */
  source: string;
  stream: StreamName;
  line: string;
  atMs: number;
}

export interface LineFilter {
  source?: string;
  stream?: StreamName;
  /** Only lines at or after this index of `entries` (take `entries.length` as a cursor). */
  from?: number;
}

export class OutputLog {
  readonly entries: OutputLine[] = [];
  #changes = new ChangeSignal();
  #chunks = 0;
  #open = 0;

  /** Splits `readable` into lines; a final line without newline is kept when the stream ends. */
  attach(source: string, stream: StreamName, readable: Readable): void {
    readable.setEncoding('utf8'); // decodes multi-byte characters split across chunks
    let partial = '';
    this.#open++;
    readable.on('data', (chunk: string) => {
      this.#chunks++;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.#push(source, stream, line);
    });
    readable.on('close', () => {
      if (partial) this.#push(source, stream, partial);
      partial = '';
      this.#open--;
      this.#changes.notify();
    });
  }

  #push(source: string, stream: StreamName, line: string): void {
    this.entries.push({ source, stream, line: line.replace(/\r$/, ''), atMs: Date.now() });
    this.#changes.notify();
  }

  select(filter: LineFilter = {}): OutputLine[] {
    return this.entries
      .slice(filter.from ?? 0)
      .filter((e) => (filter.source === undefined || e.source === filter.source) && (filter.stream === undefined || e.stream === filter.stream));
  }

  lines(filter: LineFilter = {}): string[] {
    return this.select(filter).map((e) => e.line);
  }

  /** Resolves with the first line (already seen or future) matching `predicate`; rejects after `timeoutMs`. */
  async waitForLine(
    predicate: (line: string, entry: OutputLine) => boolean,
    options: LineFilter & { timeoutMs: number },
  ): Promise<OutputLine> {
    let checked = options.from ?? 0;
    const found = await this.#changes.until(() => {
      for (; checked < this.entries.length; checked++) {
        const entry = this.entries[checked]!;
        if (options.source !== undefined && entry.source !== options.source) continue;
        if (options.stream !== undefined && entry.stream !== options.stream) continue;
        if (predicate(entry.line, entry)) return entry;
      }
      return undefined;
    }, Date.now() + options.timeoutMs);
    if (!found) throw new Error(`No matching output line within ${options.timeoutMs} ms. Output so far:\n${this.tail()}`);
    return found;
  }

  /**
   * Waits until the pipes are drained: after a freeze nothing new is written, but lines written
   * just before may still sit in a pipe our event loop has not read yet.
   */
  async settle(maxMs = 100): Promise<void> {
    const deadline = Date.now() + maxMs;
    for (;;) {
      const before = this.#chunks;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (this.#chunks === before || Date.now() > deadline) return;
    }
  }

  /** Resolves when every attached stream has closed (its processes are gone), or after `timeoutMs`. */
  async closed(timeoutMs: number): Promise<boolean> {
    return (await this.#changes.until(() => (this.#open === 0 ? true : undefined), Date.now() + timeoutMs)) ?? false;
  }

  tail(count = 40): string {
    return this.entries
      .slice(-count)
      .map((e) => `[${e.source}${e.stream === 'stderr' ? ' stderr' : ''}] ${e.line}`)
      .join('\n');
  }
}
