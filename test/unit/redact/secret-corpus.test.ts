/**
 * A corpus of seeded secrets pushed through every channel that can reach stdout in-process — log
 * arguments, console capture, annotate() and the wide event, error messages and stacks, span
 * attributes, span events and span status (console span exporter) — and not one of them may
 * appear anywhere in what was written, nor in the bytes the OTLP exporter sent to a loopback
 * receiver. Each channel is also checked to have produced output, so the test cannot pass by
 * writing nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { annotate, annotateEnvironment, getLogger, observe } from '../../../src/index.ts';
import { fixtures } from '../../fixtures/events/index.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

const S = {
  password: 'Hunter2-SEED-pw',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTRUVEIn0.U0VFRC1zaWduYXR1cmUtZm9yLWNvcnB1cw',
  awsKeyId: 'AKIASEEDSEEDSEED1234',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiSEEDSEEDKEY1',
  bearer: 'seedbearertoken0123456789abcdef',
  card: '4111 1111 1111 1111',
  cardDigits: '4111111111111111',
  pemBody: 'MIIEvSEEDPEMBODYxyz',
  dbPassword: 'SeedDbPass99',
  queryToken: 'SeedQueryTok77',
  cookie: 'SeedCookieVal55',
  apiKey: 'SeedApiKey-123',
  clientSecret: 'SeedClientSecret42',
  github: 'ghp_SEEDseed0123456789abcdefghijklmnopqrstu',
  customKey: 'seed.customer@example.com',
  customPattern: 'ORD-SEED-4711',
  fixtureJwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTciLCJ0ZW5hbnQiOiJhY21lIn0.c2VjcmV0LXNpZ25hdHVyZS1mb3ItdGVzdHM',
} as const;

const pem = `-----BEGIN PRIVATE KEY-----\n${S.pemBody}\nABCDEF\n-----END PRIVATE KEY-----`;
/** Free text carrying most of the corpus, as error messages and stringified bodies do. */
const prose = [
  `password=${S.password}`,
  `token ${S.jwt}`,
  `key ${S.awsKeyId}`,
  `aws_secret_access_key=${S.awsSecret}`,
  `Authorization: Bearer ${S.bearer}`,
  `card ${S.card}`,
  `pan ${S.cardDigits}`,
  pem,
  `postgres://app:${S.dbPassword}@db.internal/orders`,
  `https://api.test/cb?access_token=${S.queryToken}&page=2`,
  `{"client_secret":"${S.clientSecret}","x-api-key":"${S.apiKey}"}`,
  `gh ${S.github}`,
  `order ${S.customPattern}`,
].join(' | ');

const log = getLogger('corpus');
let capture: Capture;
const restoreConsole = { log: console.log, error: console.error };

let receiver: OtlpReceiver;

const body = async (event: unknown) => {
    // 1. Log arguments: message, fields by key at any depth, values by shape, Errors.
    log.info(`message with secrets: ${prose}`, {
      password: S.password,
      nested: { deeper: { client_secret: S.clientSecret, headers: { Cookie: `session=${S.cookie}`, 'X-Api-Key': S.apiKey } } },
      note: prose,
      customer_email: S.customKey,
      list: [S.jwt, `Bearer ${S.bearer}`, Number(S.cardDigits)],
      url: `https://api.test/cb?access_token=${S.queryToken}`,
      map: new Map([['authorization', `Bearer ${S.bearer}`]]),
    });
    log.warn('warn line (also a span event)', new Error(`upstream said ${prose}`));
    log.debug('held, then written because the invocation fails', { token: S.jwt, detail: prose });
    log.info('the whole incoming event, as users sometimes log it', { event });
    // 2. console capture.
    console.log('console', { password: S.password }, prose);
    console.error(new Error(`console error ${prose}`));
    // 3. annotate(): the wide event.
    annotate({ 'user.api_key': S.apiKey, login: { password: S.password }, note: prose, 'http.target': `/cb?access_token=${S.queryToken}` });
    // 4. Span attributes, events and status, on the invocation span and on a child span.
    const active = trace.getActiveSpan();
    active?.setAttribute('db.password', S.password);
    active?.setAttribute('app.note', prose);
    await trace.getTracer('corpus').startActiveSpan('child', async (span) => {
      span.setAttributes({
        'http.request.header.authorization': `Bearer ${S.bearer}`,
        'url.full': `https://api.test/cb?access_token=${S.queryToken}`,
        'db.connection_string': `postgres://app:${S.dbPassword}@db.internal/orders`,
        'aws.secret_access_key': S.awsSecret,
        'app.list': [S.jwt, S.cardDigits],
      });
      span.addEvent('retry', { reason: prose, token: S.jwt });
      span.recordException(new Error(`child failed: ${prose}`));
      span.setStatus({ code: 2, message: `child status ${prose}` });
      span.end();
    });
    // 5. An error message and stack: the error line, the wide event's exception, the span's exception event and status.
    throw new Error(`handler failed: ${prose}`);
};

before(async () => {
  console.log = () => undefined;
  console.error = () => undefined;
  capture = captureOutput();
  receiver = await startOtlpReceiver();
});
after(async () => {
  await receiver.close();
  capture.stop();
  console.log = restoreConsole.log;
  console.error = restoreConsole.error;
});

describe('seeded secret corpus', () => {
  let lines: Line[] = [];
  before(async () => {
    const handler = observe(body, {
      tracesExporter: ['console', 'otlp'],
      otlpTracesEndpoint: receiver.tracesUrl,
      captureConsole: true,
      fields: { deploy_token: S.github },
      redact: { keys: ['customer_email'], patterns: [/ORD-SEED-\d{4}/] },
    });
    annotateEnvironment({ 'env.password': S.password });
    await assert.rejects(handler(fixtures.api(), lambdaContext()), /handler failed/);
    lines = capture.all();
  });

  it('every channel produced output (so the check below means something)', () => {
    const logs = capture.logs();
    const [event] = capture.events();
    const spans = capture.spans();
    assert.ok(logs.some((l) => l.logger === 'corpus' && l.level === 'info' && l.password === '[REDACTED]'));
    assert.ok(logs.some((l) => l.logger === 'corpus' && l.level === 'debug'), 'buffered debug line written on failure');
    assert.ok(logs.some((l) => l.logger === 'console' && l.level === 'error'));
    assert.ok(logs.some((l) => l.message === 'invocation failed' && l.exception.stacktrace.includes('handler failed')));
    assert.ok(event);
    assert.equal(event['user.api_key'], '[REDACTED]');
    assert.equal(event.deploy_token, '[REDACTED]');
    assert.equal(event['env.password'], '[REDACTED]');
    assert.match(event.exception.message, /^handler failed: password=\[REDACTED\]/);
    assert.match(event['http.target'], /^\/cb\?access_token=\[REDACTED\]$/);
    const child = spans.find((s) => s.name === 'child');
    const root = spans.find((s) => s.name !== 'child');
    assert.ok(child && root, 'both spans exported');
    assert.ok('http.request.header.authorization' in child.attributes);
    assert.ok('db.password' in root.attributes);
    assert.ok(root.events.some((e: Line) => e.name === 'exception'));
    assert.ok(root.events.some((e: Line) => e.name === 'log' && e.attributes['log.severity'] === 'warn'));
  });

  it('the OTLP exporter delivered both spans to the receiver', () => {
    const names = receiver.spans().map((s) => s.name).sort();
    assert.equal(names.length, 2, `received ${names.join(', ')}`);
    assert.ok(names.includes('child'));
  });

  for (const [name, secret] of Object.entries(S)) {
    it(`"${name}" appears nowhere in stdout nor in what the OTLP exporter sent`, () => {
      assert.ok(lines.length > 0);
      const text = capture.text();
      assert.ok(!text.includes(secret), `${name} leaked:\n${text.split('\n').filter((l) => l.includes(secret)).join('\n').slice(0, 2000)}`);
      const sent = receiver.requests().map((r) => r.body.toString('latin1')).join('\n');
      assert.ok(sent.length > 0);
      assert.ok(!sent.includes(secret), `${name} leaked to the OTLP receiver`);
    });
  }

  it('the PEM armour is gone too, not only its body', () => {
    assert.ok(!capture.text().includes('BEGIN PRIVATE KEY'));
  });
});
