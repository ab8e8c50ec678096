/**
 * Connections opened during Lambda's INIT for the exporters' first requests (plain `http:`
 * endpoints, taken over by ./http1-client.ts). In the static graph, not in the client's lazy chunk:
 * a dynamic import resolves only once the first invocation has started, too late to overlap.
 */
import type * as Net from 'node:net';

/** Connections opened ahead of their origin (`preconnect`), by `host:port`, until an origin takes them. */
const preconnected = new Map<string, { readonly socket: Net.Socket; readonly forget: () => void }>();
/** Origins already preconnected once: a later call (another wrapper, after the first export) opens nothing. */
const attempted = new Set<string>();

/**
 * Open a connection to an `http:` URL's origin now, for the first request an origin of the same
 * host and port makes later: called during Lambda's INIT, so the TCP handshake, the server's accept
 * and node:net's own first run are done before the first invocation exports. Idle until taken,
 * unref'd (it never keeps the process alive) and dropped if the server closes it. Never throws.
 */
export function preconnect(url: string): void {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:') return;
    const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
    const port = Number(parsed.port || 80);
    const key = `${host}:${port}`;
    if (attempted.has(key)) return;
    attempted.add(key);
    const net = process.getBuiltinModule('node:net') as typeof Net;
    const socket = net.connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 });
    socket.unref();
    const forget = (): void => {
      if (preconnected.get(key)?.socket !== socket) return;
      preconnected.delete(key);
      socket.destroy();
    };
    socket.on('error', forget);
    socket.on('end', forget);
    socket.on('close', forget);
    preconnected.set(key, { socket, forget });
  } catch {
    // An optimisation: the first request connects by itself.
  }
}

/** The connection `preconnect` opened to this origin, if it is still usable; taken once. */
export function takePreconnected(host: string, port: number): Net.Socket | undefined {
  const key = `${host}:${port}`;
  const entry = preconnected.get(key);
  if (!entry) return undefined;
  preconnected.delete(key);
  const { socket, forget } = entry;
  socket.off('error', forget).off('end', forget).off('close', forget);
  return socket.destroyed ? undefined : socket;
}
