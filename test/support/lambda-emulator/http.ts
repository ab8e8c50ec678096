// The one loopback HTTP server behind AWS_LAMBDA_RUNTIME_API, serving both the Runtime API and
// the Extensions API (Lambda serves both on the same host:port).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Returns true if it handled the request. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

export interface ApiServer {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  close(): Promise<void>;
}

export async function startApiServer(routes: readonly RouteHandler[]): Promise<ApiServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    void (async () => {
      for (const route of routes) if (await route(req, res, path)) return;
      sendJson(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${path}` });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errorType: 'EmulatorError', errorMessage: String(error) });
    });
  });
  // `next` and `event/next` are long polls that may stay open for as long as the sandbox is
  // frozen; Lambda's API server has no idle or request timeouts and neither may this one, or a
  // thawed client would find its keep-alive socket closed under it.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  server.timeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // pending long polls would otherwise keep it open
      });
      return closing;
    },
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Lambda's answer to an accepted POST (response, error, init/error, exit/error). */
export function sendAccepted(res: ServerResponse): void {
  sendJson(res, 202, { status: 'OK' });
}

/** Request headers as a plain object with lower-case names. */
export function headerRecord(req: IncomingMessage): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
