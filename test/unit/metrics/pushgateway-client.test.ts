/**
 * The HTTP side of the push, against loopback servers that answer, refuse, fail or hang:
 * what the server received (method, path, headers, body), when it retries, and that every
 * wait ends within its deadline.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPushgatewayClient, groupingPath } from '../../../src/metrics/pushgateway-client.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(answer: (req: Received, n: number, res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { method: req.method!, url: req.url!, headers: req.headers, body };
      received.push(r);
      answer(r, received.length, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const target = (url: string, authorization?: string) => ({ url, job: 'orders', instance: 'abc123', labels: { stage: 'prod' }, authorization });

describe('groupingPath', () => {
  it('puts job, instance and static labels in order', () => {
    assert.equal(groupingPath({ job: 'orders', instance: 'abc', labels: { stage: 'prod', team: 'a b' } }), '/metrics/job/orders/instance/abc/stage/prod/team/a%20b');
  });

  it('base64url-encodes values with a slash and empty values, as the Pushgateway API requires', () => {
    const path = groupingPath({ job: 'svc/api', instance: '2026/11/22/[$LATEST]x', labels: { empty: '' } });
    assert.equal(
      path,
      `/metrics/job@base64/${Buffer.from('svc/api').toString('base64url')}/instance@base64/${Buffer.from('2026/11/22/[$LATEST]x').toString('base64url')}/empty@base64/=`,
    );
  });
});

describe('pushgateway client', () => {
  it('PUTs the body with content type and authorization to the group, DELETEs the group', async () => {
    const server = await serve((_r, _n, res) => res.writeHead(200).end());
    const client = createPushgatewayClient(target(server.url, 'Bearer s3cret'));
    assert.equal(await client.send('PUT', 'a_total 1\n', performance.now() + 1000), undefined);
    assert.equal(await client.send('DELETE', undefined, performance.now() + 1000), undefined);
    client.close();
    assert.deepEqual(
      server.received.map((r) => [r.method, r.url, r.body]),
      [
        ['PUT', '/metrics/job/orders/instance/abc123/stage/prod', 'a_total 1\n'],
        ['DELETE', '/metrics/job/orders/instance/abc123/stage/prod', ''],
      ],
    );
    assert.equal(server.received[0]!.headers.authorization, 'Bearer s3cret');
    assert.match(server.received[0]!.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(client.groupUrl, `${server.url}/metrics/job/orders/instance/abc123/stage/prod`);
  });

  it('keeps a path prefix of the base URL (a gateway behind a reverse proxy)', async () => {
    const server = await serve((_r, _n, res) => res.writeHead(202).end());
    const client = createPushgatewayClient(target(`${server.url}/pushgateway`));
    assert.equal(await client.send('PUT', 'x 1\n', performance.now() + 1000), undefined);
    client.close();
    assert.equal(server.received[0]!.url, '/pushgateway/metrics/job/orders/instance/abc123/stage/prod');
  });

  it('retries a 5xx once, then succeeds', async () => {
    const server = await serve((_r, n, res) => res.writeHead(n === 1 ? 503 : 200).end());
    const client = createPushgatewayClient(target(server.url));
    assert.equal(await client.send('PUT', 'x 1\n', performance.now() + 1000), undefined);
    client.close();
    assert.equal(server.received.length, 2);
  });

  it('gives up after one retry of a 500 and reports it with the answer body', async () => {
    const server = await serve((_r, _n, res) => res.writeHead(500).end('storage broken'));
    const client = createPushgatewayClient(target(server.url));
    const failure = await client.send('PUT', 'x 1\n', performance.now() + 1000);
    client.close();
    assert.deepEqual(failure, { reason: 'server_error', detail: 'HTTP 500: storage broken' });
    assert.equal(server.received.length, 2);
  });

  it('does not retry a 400: the same body would be rejected again', async () => {
    const server = await serve((_r, _n, res) => res.writeHead(400).end('text format parsing error in line 2'));
    const client = createPushgatewayClient(target(server.url));
    const failure = await client.send('PUT', 'x 1\n', performance.now() + 1000);
    client.close();
    assert.deepEqual(failure, { reason: 'rejected', detail: 'HTTP 400: text format parsing error in line 2' });
    assert.equal(server.received.length, 1);
  });

  it('gives up on a gateway that never answers at the deadline, without a retry', async () => {
    const server = await serve(() => {
      /* never answers */
    });
    const client = createPushgatewayClient(target(server.url));
    const started = performance.now();
    const failure = await client.send('PUT', 'x 1\n', started + 150);
    const elapsed = performance.now() - started;
    client.close();
    assert.equal(failure?.reason, 'timeout');
    assert.ok(elapsed >= 140 && elapsed < 300, `elapsed ${elapsed}`);
    assert.equal(server.received.length, 1);
  });

  it('reports a refused connection as a network failure, fast', async () => {
    const server = await serve(() => {});
    const url = server.url;
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 20));
    const client = createPushgatewayClient(target(url));
    const started = performance.now();
    const failure = await client.send('PUT', 'x 1\n', started + 1000);
    client.close();
    assert.equal(failure?.reason, 'network');
    assert.match(failure?.detail ?? '', /ECONNREFUSED/);
    assert.ok(performance.now() - started < 500);
  });

  it('reuses one keep-alive connection across pushes', async () => {
    const server = await serve((_r, _n, res) => res.writeHead(200).end());
    const client = createPushgatewayClient(target(server.url));
    const ports = new Set<number>();
    const srv = servers.at(-1)!;
    srv.on('connection', (socket) => ports.add(socket.remotePort!));
    for (let i = 0; i < 5; i++) assert.equal(await client.send('PUT', `x ${i}\n`, performance.now() + 1000), undefined);
    client.close();
    assert.equal(server.received.length, 5);
    assert.equal(ports.size, 1);
  });
});
