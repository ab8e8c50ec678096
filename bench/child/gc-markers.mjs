// Preloaded (--import) by bench/gc-survival.ts into a warm child that runs with --trace-gc-nvp:
// writes markers to stdout between V8's GC lines, so each young-generation collection can be
// placed in the invocation cycle, and notes when V8 grows its new space. Diagnostics only: the
// measured variants never load it.
import { writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import crypto from 'node:crypto';
import v8 from 'node:v8';

const mark = (text) => writeSync(1, `@@${text}\n`);
let invocations = 0;
let newSpace = 0;

// The harness makes each invocation's request id with randomUUID (child/lambda.mjs).
const randomUUID = crypto.randomUUID;
crypto.randomUUID = function (...args) {
  invocations++;
  mark('invocation');
  if (invocations % 50 === 0) {
    const size = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
    if (size !== newSpace) mark(`new-space ${invocations} ${size}`);
    newSpace = size;
  }
  return randomUUID.apply(this, args);
};
syncBuiltinESMExports();

// The harness's turn of the event loop between two invocations (child/warm.mjs).
const setImmediate = globalThis.setImmediate;
globalThis.setImmediate = function (...args) {
  mark('between invocations');
  return setImmediate.apply(this, args);
};

// The exports: a request written, its answer read.
const http = process.getBuiltinModule('node:http');
const end = http.ClientRequest.prototype.end;
http.ClientRequest.prototype.end = function (...args) {
  const what = String(this.path).startsWith('/metrics/') ? 'push' : 'otlp';
  mark(`${what} request written, waiting`);
  this.once('response', (res) => res.once('end', () => mark(`${what} answer read`)));
  return end.apply(this, args);
};
