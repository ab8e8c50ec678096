// Shared by the layer's e2e test and its measurements (layer-measure.ts): the built layer
// unpacked as /opt, the function code, and a recording (optionally delaying) proxy for sinks.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLayer, type LayerReport } from '../../infra/build-layer.ts';
import { extractZip } from '../../infra/zip.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** `node --import` this to resolve ESM imports from NODE_PATH as Lambda's own runtime does (see the file). */
export const nodePathHook = fileURLToPath(new URL('./layer-node-path-hook.mjs', import.meta.url));

/** Build the layer into `work`/layer.zip and unpack it into `work`/opt, as Lambda unpacks it into /opt. */
export async function unpackedLayer(work: string): Promise<{ opt: string; report: LayerReport }> {
  const report = await buildLayer({ outFile: join(work, 'layer.zip') });
  const opt = join(work, 'opt');
  await extractZip(await readFile(report.outFile), opt);
  return { opt, report };
}

/** The function's code (/var/task): the example handlers as they are, plus a few test functions. */
export async function functionCode(dir: string): Promise<string> {
  await mkdir(join(dir, 'src', 'jobs'), { recursive: true });
  for (const file of ['orders-queue.cjs', 'orders-api.mjs', 'nightly-report.mjs']) await copyFile(join(repoRoot, 'handlers', file), join(dir, file));
  await copyFile(join(repoRoot, 'handlers', 'nightly-report.mjs'), join(dir, 'src', 'jobs', 'nightly-report.mjs'));
  // Functions that use lambda-observe's API from the layer (no bundled copy) on top of zero-code wrapping.
  await writeFile(
    join(dir, 'annotated.mjs'),
    [
      "import { annotate, currentInvocation, getLogger } from 'lambda-observe';",
      "const log = getLogger('orders');",
      'export default {',
      '  handler: async (event) => {',
      "    annotate({ 'order.id': event.orderId });",
      "    log.info('order loaded', { items: 3 });",
      '    return { ids: currentInvocation() ?? null };',
      '  },',
      '};',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'annotated-cjs.js'),
    [
      "const { annotate, currentInvocation, getLogger } = require('lambda-observe');",
      "const log = getLogger('orders');",
      'module.exports.nested = {',
      '  handler: async (event) => {',
      "    annotate({ 'order.id': event.orderId });",
      "    log.info('order loaded', { items: 3 });",
      '    return { ids: currentInvocation() ?? null };',
      '  },',
      '};',
      '',
    ].join('\n'),
  );
  return dir;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP proxy in front of a sink that records what the runtime sent and forwards it `delayMs` later. */
export async function recordingProxy(target: string, delayMs = 0): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') });
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-encoding', 'authorization']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const forward = () =>
        fetch(target + (req.url ?? '/'), { method: req.method, headers, body: body.length > 0 ? body : undefined, signal: AbortSignal.timeout(2000) })
          .then(async (upstream) => {
            res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
            res.end(Buffer.from(await upstream.arrayBuffer()));
          })
          .catch(() => {
            res.writeHead(502);
            res.end();
          });
      setTimeout(forward, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
