/**
 * The OTLP span exporter's timeout is a deadline for the whole export: a collector that accepts
 * the request and then trickles its answer must not hold the export (and the exporter's
 * concurrency slot) beyond it.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { createOtlpTraceExporter } from '../../../src/traces/otlp-exporter.ts';

test('a collector that trickles its answer fails the export at the timeout, and frees the slot', { timeout: 10_000 }, async () => {
  const trickling = new Set<ServerResponse>();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    trickling.add(res);
    // One byte every 50 ms: never idle long enough for a socket idle timeout to fire.
    const drip = setInterval(() => res.write('\0'), 50);
    res.on('close', () => {
      clearInterval(drip);
      trickling.delete(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const exporter = createOtlpTraceExporter({
    protocol: 'http/protobuf',
    url: `http://127.0.0.1:${port}/v1/traces`,
    headers: {},
    timeoutMillis: 300,
    compression: 'none',
    concurrencyLimit: 1,
  });
  try {
    const started = performance.now();
    const result = await new Promise<ExportResult>((resolve) => exporter.export([], resolve));
    const elapsed = performance.now() - started;
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error), /timed out/);
    // Before the fix this export reported success after the server's whole trickle (seconds).
    assert.ok(elapsed < 300 + 500, `the export took ${Math.round(elapsed)} ms against a 300 ms timeout`);
    // The client destroyed its request: the server sees the connection close shortly after.
    for (const until = Date.now() + 2000; trickling.size > 0 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(trickling.size, 0, 'the trickling request was not abandoned');
    // With a concurrency limit of 1, the slot is free again: the next export is attempted.
    const before = requests;
    const next = await new Promise<ExportResult>((resolve) => exporter.export([], resolve));
    assert.notEqual(String(next.error), 'Error: Concurrent export limit reached');
    assert.equal(requests, before + 1);
  } finally {
    await exporter.shutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
