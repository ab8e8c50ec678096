/**
 * A Pushgateway given in code (`observe(handler, { pushgatewayUrl })`, nothing in the environment)
 * gets its connection opened while observe() resolves its config, during INIT, as one from the
 * environment does: the first invocation's push goes out on that connection instead of connecting
 * in the invocation. A relay in front of the real Pushgateway counts the connections.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { withDeadline } from '../support/child-process.ts';
import { startPushgateway, type Pushgateway } from '../support/pushgateway.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CHILD_TIMEOUT_MS = 20_000;

let gateway: Pushgateway;
let relay: Server;
let relayUrl = '';
let connections = 0;
const sockets = new Set<Socket>();

before(async () => {
  gateway = await startPushgateway();
  const upstreamPort = Number(new URL(gateway.url).port);
  relay = createServer((client) => {
    connections++;
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
  relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}`;
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => relay?.close(done));
  await gateway?.stop();
});

test('a Pushgateway URL from code options is connected during init, and the first push uses that connection', async () => {
  const url = (path: string) => JSON.stringify(pathToFileURL(path).href);
  const script = `import { observe } from ${url(join(REPO, 'src/index.ts'))};
    import { lambdaContext } from ${url(join(REPO, 'test/support/lambda-context.ts'))};
    const handler = observe(async () => ({ statusCode: 200 }), { metricsExporter: ['prometheus'], pushgatewayUrl: ${JSON.stringify(relayUrl)} });
    // Init ends here; the connection, if opened in init, has long been accepted by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.stdout.write('init done\\n');
    await handler({}, lambdaContext({ functionName: 'orders' }));
    process.stdout.write('invoked\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'orders', AWS_REGION: 'eu-west-1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let connectionsAtInitEnd: number | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (connectionsAtInitEnd === undefined && stdout.includes('init done\n')) connectionsAtInitEnd = connections;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = withDeadline(once(child, 'exit'), CHILD_TIMEOUT_MS, () => `child did not finish in ${CHILD_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`);
  // A no-op once it has exited; otherwise it must not outlive the test.
  const [code] = await exited.finally(() => child.kill('SIGKILL'));
  assert.equal(code, 0, `child failed:\n${stdout}\n${stderr}`);
  assert.match(stdout, /invoked\n/);

  assert.equal(connectionsAtInitEnd, 1, 'the connection to the Pushgateway is opened before the first invocation');
  assert.equal(connections, 1, 'the first push went out on the connection opened during init');
  const groups = await gateway.groups();
  const pushed = groups.find((group) => group.labels.job === 'orders' && group.families.faas_invocations_total);
  assert.ok(pushed, `no push of faas_invocations_total reached the Pushgateway: ${JSON.stringify(groups)}`);
  assert.equal(pushed.families.faas_invocations_total!.metrics.reduce((sum, sample) => sum + Number(sample.value), 0), 1);
});
