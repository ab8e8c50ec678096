// What the Lambda runtime does around a handler, in-process: load the handler module named by
// BENCH_HANDLER, and make each invocation's event (parsed fresh from JSON, as the runtime does)
// and context (a new request id, deadline and X-Ray trace header every time).
//
// Plain JavaScript on purpose: the measured processes must not pay Node's type stripping, which a
// deployed function does not pay either.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const FUNCTION_NAME = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench-fn';
const REGION = process.env.AWS_REGION ?? 'eu-west-1';
const ARN = `arn:aws:lambda:${REGION}:123456789012:function:${FUNCTION_NAME}`;
const TIMEOUT_MS = 30_000;
const MEMORY_MB = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1024';

const eventText = readFileSync(process.env.BENCH_EVENT, 'utf8');

/** Load the handler the way the runtime does: require() for CommonJS (so require hooks apply), import() otherwise. */
export async function loadHandler() {
  const file = process.env.BENCH_HANDLER;
  const module = file.endsWith('.cjs') ? createRequire(import.meta.url)(file) : await import(pathToFileURL(file).href);
  if (typeof module.handler !== 'function') throw new Error(`${file} exports no handler function`);
  return module.handler;
}

/** One invocation's event and context. Sets _X_AMZN_TRACE_ID as the runtime does before each invocation. */
export function nextInvocation() {
  const event = JSON.parse(eventText);
  const awsRequestId = randomUUID();
  if (event.requestContext) event.requestContext.requestId = awsRequestId;
  const deadline = Date.now() + TIMEOUT_MS;
  const random = randomBytes(20).toString('hex');
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  process.env._X_AMZN_TRACE_ID = `Root=1-${epoch}-${random.slice(0, 24)};Parent=${random.slice(24, 40)};Sampled=1`;
  const context = {
    deadlineMs: deadline,
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: ARN,
    memoryLimitInMB: MEMORY_MB,
    awsRequestId,
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '2026/11/22/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {},
    fail() {},
    succeed() {},
  };
  return { event, context };
}

/** Results go to fd 3 (a pipe the harness reads), one JSON object per line; stdout is the function's log. */
export function report(message) {
  const line = `${JSON.stringify(message)}\n`;
  let buffer = Buffer.from(line);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(3, buffer));
    } catch (error) {
      // The pipe is non-blocking: wait for the harness to drain it.
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

/** Report an error and leave with a failure status (the harness shows stderr). */
export function fail(error) {
  try {
    report({ type: 'error', message: String(error?.stack ?? error) });
  } finally {
    process.exit(1);
  }
}

/**
 * The Extensions API of the Lambda service, in-process and minimal, for `flushMode: 'async'`:
 * lambda-observe registers itself as an extension and asks for its next event only once an
 * invocation's flush is over, which is what keeps Lambda from freezing the environment too early.
 * The harness hands out one INVOKE event per invocation (`invoke`) and, after the response, waits
 * for the next `event/next` (`frozen`): that is the moment Lambda would freeze the environment.
 * Only the service side lives here; the requests lambda-observe makes are its own real cost.
 */
export async function startExtensionsApi() {
  const { createServer } = await import('node:http');
  let registered = false;
  let waitingResponse;
  const queued = [];
  const answerNext = () => {
    if (!waitingResponse || queued.length === 0) return;
    const res = waitingResponse;
    waitingResponse = undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(queued.shift()));
  };
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/2020-01-01/extension/register') {
      req.resume();
      registered = true;
      res.writeHead(200, { 'lambda-extension-identifier': 'bench-extension-id', 'content-type': 'application/json' });
      res.end('{}');
    } else if (req.method === 'GET' && req.url === '/2020-01-01/extension/event/next') {
      waitingResponse = res;
      answerNext();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.keepAliveTimeout = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    address: `127.0.0.1:${server.address().port}`,
    /** Resolves once the extension registered and waits for its first event (Lambda's end of init). */
    async ready(timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (!(registered && waitingResponse)) {
        if (Date.now() > until) throw new Error('lambda-observe never registered its flush hold with the Extensions API');
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
    /** Deliver the INVOKE event of the invocation about to start. */
    invoke(requestId, deadlineMs) {
      queued.push({ eventType: 'INVOKE', requestId, deadlineMs, invokedFunctionArn: ARN });
      answerNext();
    },
    /**
     * Resolves when the extension asks for its next event again: its flush is over, Lambda may
     * freeze. Polled with setImmediate rather than waited for: a CPU left idle between two
     * invocations comes back with cold caches and makes the next one up to twice as slow (measured:
     * lambda-observe with exporters off, 75 → 155 µs after a 1 ms sleep), while every other
     * variant runs its invocations back to back; polling keeps this one comparable with them.
     */
    async frozen() {
      while (!(waitingResponse && queued.length === 0)) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
