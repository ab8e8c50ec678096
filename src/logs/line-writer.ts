/**
 * Writes one line to stdout, synchronously. Lambda freezes the process as soon as the response is
 * sent, so anything still in an async stream buffer would be lost or appear in a later
 * invocation's logs; a synchronous write cannot be.
 */
import type * as Fs from 'node:fs';

// From `process.getBuiltinModule`, not an ESM import: an ESM import of a builtin builds a namespace
// facade that runs every lazy getter (measured: node:fs ≈ 5 ms, node:util ≈ 7 ms, node:crypto ≈ 11 ms
// at cold start); this needs one function of it.
const { writeSync } = process.getBuiltinModule('node:fs') as typeof Fs;

type LineSink = (line: string) => void;

let sink: LineSink | undefined;

/** Write `line` (which must end in a newline) to stdout, or to the sink installed by `captureLines`. */
export function writeLine(line: string): void {
  if (sink) {
    sink(line);
    return;
  }
  writeStdout(line);
}

/**
 * Send every line to `capture` instead of stdout until the returned function is called. This is
 * how in-process tests read exactly the bytes that would have been written.
 */
export function captureLines(capture: LineSink): () => void {
  const previous = sink;
  sink = capture;
  return () => {
    sink = previous;
  };
}

function writeStdout(line: string): void {
  // The string goes straight to the write (node encodes it on the native side, short lines on the
  // stack): no Buffer per line. Only a partial write or a full pipe needs the bytes in hand.
  let first: number;
  try {
    first = writeSync(1, line);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
      process.stdout.write(line);
      return;
    }
    first = 0;
  }
  if (first === Buffer.byteLength(line, 'utf8')) return;
  writeBytes(Buffer.from(line, 'utf8').subarray(first));
}

function writeBytes(bytes: Buffer): void {
  let remaining = bytes;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    try {
      const written = writeSync(1, remaining);
      remaining = remaining.subarray(written);
    } catch (error) {
      // A non-blocking pipe answers EAGAIN when full; retry a bounded number of times, then hand
      // the rest to the stream, which queues it rather than dropping it.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && attempt < 100) continue;
      process.stdout.write(remaining);
      return;
    }
  }
}
