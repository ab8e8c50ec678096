/**
 * The layer's extension in Node.js, used only where bash cannot open TCP connections (the
 * extension itself is `extensions/lambda-observe`, a bash script: see extension.sh for why).
 * Bundled on its own into one small CommonJS file with no dependencies.
 *
 * It registers for SHUTDOWN and waits, so that Lambda sends SIGTERM to the runtime at shutdown
 * (lambda-observe's hook then flushes, pushes and deletes the Pushgateway group). It reads the
 * environment itself: a separate program, not part of the library's configuration.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

/** Lambda matches the registration name against the file name in /opt/extensions, which the launcher passes. */
const name = process.argv[2] || 'lambda-observe';
const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001').split(':');
const ATTEMPTS = 5;

function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method, path: `/2020-01-01/extension/${path}`, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const registered = await call('POST', 'register', { 'Lambda-Extension-Name': name, 'Content-Type': 'application/json' }, JSON.stringify({ events: ['SHUTDOWN'] }));
  const id = registered.headers['lambda-extension-identifier'];
  if (registered.status !== 200 || typeof id !== 'string') throw new Error(`registration failed (HTTP ${registered.status})`);
  // SHUTDOWN is the only event we registered for: the first answer to `next` is it.
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const next = await call('GET', 'event/next', { 'Lambda-Extension-Identifier': id }).catch(() => undefined);
    if (next?.status === 200) process.exit(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('event/next kept failing');
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', logger: 'lambda-observe.extension', message: String(error) })}\n`);
  process.exit(1);
});
