/**
 * The exporters' small HTTP/1.1 client (src/http1-client.ts) against loopback servers: what goes
 * on the wire, every way an answer's body can be delimited, keep-alive reuse, and the failures
 * (refused, reset, hang-up, oversize answers, bad headers) reported as node:http reports them.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createHttp1Origin, Http1BodyTooLargeError, type Http1Origin, type Http1Request, type Http1Response } from '../../../src/http1-client.ts';
import { preconnect, takePreconnected } from '../../../src/preconnect.ts';
import { freePort } from '../../support/free-port.ts';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

/** A node:http server; returns its port and what it received. */
async function httpServer(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; rawHeaders: string[]; body: string; port: number }> = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body, port: req.socket.remotePort! });
      answer(req, body, res);
    });
  });
  servers.push(server as unknown as Server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.closeAllConnections());
  return { port: (server.address() as AddressInfo).port, received };
}

/** A raw TCP server that answers each request with `reply(request text)` bytes. */
async function rawServer(reply: (socket: Socket, request: string) => void) {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = text.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (text.length < end + 4 + length) return;
      const request = text.slice(0, end + 4 + length);
      text = text.slice(end + 4 + length);
      reply(socket, request);
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const socket of sockets) socket.destroy();
  });
  return { port: (server.address() as AddressInfo).port, sockets };
}

const post = (body = 'hello'): Http1Request => ({
  method: 'POST',
  path: '/v1/traces',
  headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': Buffer.byteLength(body) },
  body,
  maxBodyBytes: 1024,
  overflow: 'fail',
});

function send(origin: Http1Origin, request: Http1Request): Promise<{ error: Error | undefined; response: Http1Response | undefined }> {
  return new Promise((resolve) => origin.request(request, (error, response) => resolve({ error, response })));
}

describe('http1 client', () => {
  it('sends the headers in order, then Host, Authorization from the URL and Connection, and the body', async () => {
    const server = await httpServer((_req, _body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port, auth: 'user:p@ss' });
    const { error, response } = await send(origin, post('payload'));
    origin.close();
    assert.equal(error, undefined);
    assert.equal(response?.status, 200);
    assert.equal(response?.statusMessage, 'OK');
    assert.equal(response?.headers['content-type'], 'text/plain');
    assert.equal(response?.body.toString(), 'ok');
    const got = server.received[0]!;
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/v1/traces');
    assert.equal(got.body, 'payload');
    assert.deepEqual(got.rawHeaders, [
      'Content-Type', 'application/x-protobuf',
      'Content-Length', '7',
      'Host', `127.0.0.1:${server.port}`,
      'Authorization', `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
      'Connection', 'keep-alive',
    ]);
  });

  it('sends a DELETE without a body and without a length, as node:http does', async () => {
    const server = await httpServer((_req, _body, res) => res.writeHead(202).end());
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    const { response } = await send(origin, { method: 'DELETE', path: '/metrics/job/x', headers: { 'user-agent': 'lambda-observe' }, maxBodyBytes: 10, overflow: 'truncate' });
    origin.close();
    assert.equal(response?.status, 202);
    assert.equal(server.received[0]?.method, 'DELETE');
    assert.equal(server.received[0]?.headers['content-length'], undefined);
    assert.equal(server.received[0]?.headers['transfer-encoding'], undefined);
  });

  it('reuses one keep-alive connection, and opens a second only for requests in flight together', async () => {
    const server = await httpServer((_req, body, res) => res.writeHead(200).end(body));
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    for (let i = 0; i < 4; i++) assert.equal((await send(origin, post(`n${i}`))).response?.body.toString(), `n${i}`);
    await Promise.all([send(origin, post('a')), send(origin, post('b'))]);
    origin.close();
    assert.equal(new Set(server.received.slice(0, 4).map((r) => r.port)).size, 1);
    assert.equal(new Set(server.received.map((r) => r.port)).size, 2);
  });

  it('queues past maxSockets', async () => {
    const server = await httpServer((_req, body, res) => setTimeout(() => res.writeHead(200).end(body), 20));
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port, maxSockets: 1 });
    const answers = await Promise.all(['a', 'b', 'c'].map((body) => send(origin, post(body))));
    origin.close();
    assert.deepEqual(answers.map((a) => a.response?.body.toString()), ['a', 'b', 'c']);
    assert.equal(new Set(server.received.map((r) => r.port)).size, 1);
  });

  it('reads chunked answers (with extensions and trailers), split anywhere', async () => {
    const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
    const server = await rawServer((socket) => {
      // One byte per write: every parser state has to wait for more.
      const bytes = Buffer.from(answer, 'latin1');
      let i = 0;
      const drip = (): void => {
        if (i >= bytes.length || socket.destroyed) return;
        socket.write(bytes.subarray(i, ++i));
        setImmediate(drip);
      };
      drip();
    });
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    const first = await send(origin, post());
    const second = await send(origin, post());
    origin.close();
    assert.equal(first.response?.body.toString(), 'hello world');
    assert.equal(second.response?.body.toString(), 'hello world');
    assert.equal(server.sockets.length, 1, 'a chunked answer leaves the connection reusable');
  });

  it('skips 100 Continue, reads an answer delimited by the close, and does not reuse that connection', async () => {
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nboom');
      socket.end();
    });
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    const first = await send(origin, post());
    const second = await send(origin, post());
    origin.close();
    assert.equal(first.error, undefined);
    assert.equal(first.response?.status, 500);
    assert.equal(first.response?.statusMessage, 'Internal Server Error');
    assert.equal(first.response?.body.toString(), 'boom');
    assert.equal(second.response?.status, 500);
    assert.equal(server.sockets.length, 2);
  });

  it('does not reuse a connection the server asked to close', async () => {
    const server = await httpServer((_req, _body, res) => res.writeHead(200, { connection: 'close' }).end('x'));
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    await send(origin, post());
    await send(origin, post());
    origin.close();
    assert.equal(new Set(server.received.map((r) => r.port)).size, 2);
  });

  it('fails an answer larger than allowed, or keeps only its start', async () => {
    const big = 'x'.repeat(5000);
    const server = await httpServer((_req, _body, res) => res.writeHead(200).end(big));
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    const failed = await send(origin, post());
    assert.ok(failed.error instanceof Http1BodyTooLargeError);
    const kept = await send(origin, { ...post(), maxBodyBytes: 10, overflow: 'truncate' });
    origin.close();
    assert.equal(kept.error, undefined);
    assert.equal(kept.response?.body.toString(), 'x'.repeat(10));
  });

  it('reports a refused connection with its code', async () => {
    const origin = createHttp1Origin({ host: '127.0.0.1', port: await freePort() });
    const { error, response } = await send(origin, post());
    origin.close();
    assert.equal((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.equal(response, undefined);
  });

  it('reports a server that closes before answering as a hang-up (ECONNRESET), with the head when it had come', async () => {
    const noAnswer = await rawServer((socket) => socket.end());
    const partial = await rawServer((socket) => socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\nRetry-After: 2\r\n\r\nshort'));
    const origin = createHttp1Origin({ host: '127.0.0.1', port: noAnswer.port });
    const hungUp = await send(origin, post());
    origin.close();
    assert.equal((hungUp.error as NodeJS.ErrnoException).code, 'ECONNRESET');
    assert.equal(hungUp.response, undefined);
    const cut = createHttp1Origin({ host: '127.0.0.1', port: partial.port });
    const { error, response } = await send(cut, post());
    cut.close();
    assert.equal((error as NodeJS.ErrnoException).code, 'ECONNRESET');
    assert.equal(response?.status, 503);
    assert.equal(response?.headers['retry-after'], '2');
    assert.equal(response?.body.toString(), 'short');
  });

  it('rejects a malformed answer', async () => {
    const server = await rawServer((socket) => socket.write('NOT HTTP\r\n\r\n'));
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    const { error } = await send(origin, post());
    origin.close();
    assert.match(error?.message ?? '', /Parse Error/);
  });

  it('refuses header values that would inject headers, without sending anything', async () => {
    const server = await httpServer((_req, _body, res) => res.writeHead(200).end());
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    const { error } = await send(origin, { ...post(), headers: { authorization: 'Bearer x\r\nX-Injected: 1' } });
    const bad = await send(origin, { ...post(), headers: { 'bad name': 'x' } });
    const ok = await send(origin, post());
    origin.close();
    assert.match(error?.message ?? '', /invalid character/);
    assert.match(bad.error?.message ?? '', /valid HTTP token/);
    assert.equal(ok.response?.status, 200);
    assert.equal(server.received.length, 1);
  });

  it('abort drops the connection and never calls back', async () => {
    const server = await rawServer(() => undefined);
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    let called = false;
    const exchange = origin.request(post(), () => (called = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    exchange.abort();
    await new Promise((resolve) => setTimeout(resolve, 30));
    origin.close();
    assert.equal(called, false);
    assert.equal(server.sockets[0]?.destroyed || server.sockets[0]?.readableEnded, true);
  });

  it('sends a request again, once, on a new connection when a reused one turns out closed before any answer', async () => {
    let connections = 0;
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    // The first connection (the preconnected one) is closed by the server as soon as it is accepted.
    servers.at(-1)!.prependListener('connection', (socket: Socket) => {
      if (++connections === 1) socket.destroy();
    });
    preconnect(`http://127.0.0.1:${server.port}`);
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port, preconnected: takePreconnected });
    const { error, response } = await send(origin, post());
    origin.close();
    assert.equal(error, undefined);
    assert.equal(response?.body.toString(), 'ok');
    assert.equal(connections, 2);
  });

  it('does not send again on a connection it opened for the request', async () => {
    let connections = 0;
    const server = await rawServer(() => undefined);
    servers.at(-1)!.prependListener('connection', (socket: Socket) => {
      connections++;
      socket.destroy();
    });
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port });
    const { error } = await send(origin, post());
    origin.close();
    assert.ok(error);
    assert.equal(connections, 1);
  });

  it('takes over a connection opened by preconnect for the same origin', async () => {
    const server = await httpServer((_req, body, res) => res.writeHead(200).end(body));
    const connections: number[] = [];
    servers.at(-1)!.on('connection', (socket: Socket) => connections.push(socket.remotePort!));
    preconnect(`http://127.0.0.1:${server.port}/v1/traces`);
    preconnect(`http://127.0.0.1:${server.port}/other`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(connections.length, 1, 'one connection per origin');
    const origin = createHttp1Origin({ host: '127.0.0.1', port: server.port, preconnected: takePreconnected });
    assert.equal((await send(origin, post('x'))).response?.body.toString(), 'x');
    origin.close();
    assert.deepEqual(server.received.map((r) => r.port), connections);
  });
});
