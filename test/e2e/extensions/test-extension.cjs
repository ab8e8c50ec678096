#!/usr/bin/env node
// A minimal external extension for the emulator tests: registers for INVOKE and SHUTDOWN and
// prints one line per event. TEST_EXTENSION_POST_INVOKE_MS makes it work that long after each
// INVOKE before asking for the next event, the way a telemetry extension flushes;
// TEST_EXTENSION_EXIT_AFTER_INVOKE=<code> makes it die with that code after its first INVOKE.
'use strict';
const http = require('node:http');
const path = require('node:path');

const name = path.basename(__filename);
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const postInvokeMs = Number(process.env.TEST_EXTENSION_POST_INVOKE_MS ?? 0);
const exitAfterInvoke = process.env.TEST_EXTENSION_EXIT_AFTER_INVOKE;

function call(method, urlPath, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: urlPath, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const registered = await call(
    'POST',
    '/2020-01-01/extension/register',
    { 'Lambda-Extension-Name': name, 'Content-Type': 'application/json' },
    JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }),
  );
  const id = registered.headers['lambda-extension-identifier'];
  console.log(`[${name}] registered ${registered.status} ${registered.body} env-handler=${process.env._HANDLER ?? '-'}`);
  for (;;) {
    const next = await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
    const event = JSON.parse(next.body);
    if (event.eventType === 'INVOKE') {
      console.log(`[${name}] INVOKE ${event.requestId} trace=${event.tracing?.value ?? '-'}`);
      if (postInvokeMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, postInvokeMs));
        console.log(`[${name}] post-invoke work done ${event.requestId}`);
      }
      if (exitAfterInvoke !== undefined) process.exit(Number(exitAfterInvoke));
    } else if (event.eventType === 'SHUTDOWN') {
      console.log(`[${name}] SHUTDOWN ${event.shutdownReason} ${event.deadlineMs - Date.now()}ms-left`);
      process.exit(0);
    }
  }
}

main().catch((error) => {
  console.error(`[${name}] failed: ${error.stack}`);
  process.exit(1);
});
