// A free TCP port on loopback, for servers that must be told their port on
// the command line (they cannot report back a port 0 choice to us).
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Binds port 0, reads the port the kernel chose, and releases it. Another
 * process could take it before the caller binds it; callers that spawn a
 * server retry with a new port when the bind fails (see child-process.ts).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
