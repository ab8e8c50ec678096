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

// The harness's turn of the event loop between two invocations (child/warm.mjs yields with a
// promise's own resolve function; the flush's setImmediate between its two exports passes one of
// lambda-observe's, which is not a turn between invocations).
const setImmediate = globalThis.setImmediate;
globalThis.setImmediate = function (callback, ...args) {
  if (Function.prototype.toString.call(callback).includes('[native code]')) mark('between invocations');
  return setImmediate.call(this, callback, ...args);
};

// The exports: a request written, its answer read. lambda-observe's HTTP/1.1 client (http:
// endpoints, as the bench's sinks are) writes each request's head as one string on a node:net socket.
const net = process.getBuiltinModule('node:net');
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...args) {
  const head = typeof chunk === 'string' ? /^(?:PUT|POST) (\S+)/.exec(chunk) : null;
  if (head) {
    const what = head[1].startsWith('/metrics/') ? 'push' : 'otlp';
    mark(`${what} request written, waiting`);
    this.once('data', () => mark(`${what} answer read`));
  }
  return write.call(this, chunk, ...args);
};
