/**
 * The named sample events of `--event <name>`. They are byte-for-byte copies of the fixtures the
 * tests use (test/fixtures/events; test/cli/sample-events.test.ts keeps them identical), imported
 * as JSON so that the build copies them into dist/ and the published package carries them.
 */
import alb from './sample-events/alb.json' with { type: 'json' };
import apigwHttp from './sample-events/apigw-http.json' with { type: 'json' };
import apigwRest from './sample-events/apigw-rest.json' with { type: 'json' };
import direct from './sample-events/direct.json' with { type: 'json' };
import eventbridge from './sample-events/eventbridge.json' with { type: 'json' };
import functionUrl from './sample-events/function-url.json' with { type: 'json' };
import schedule from './sample-events/schedule.json' with { type: 'json' };
import sns from './sample-events/sns.json' with { type: 'json' };
import sqsBatch from './sample-events/sqs-batch.json' with { type: 'json' };
import sqsSingle from './sample-events/sqs-single.json' with { type: 'json' };

interface Sample {
  readonly file: string;
  readonly describes: string;
  readonly event: object;
}

/** Sample name → its fixture file, a one-line description and the event. */
export const SAMPLES = {
  api: { file: 'apigw-rest.json', describes: 'API Gateway REST API (v1): GET /orders/42', event: apigwRest },
  http: { file: 'apigw-http.json', describes: 'API Gateway HTTP API (v2): POST /orders', event: apigwHttp },
  alb: { file: 'alb.json', describes: 'Application Load Balancer: GET /orders/42', event: alb },
  url: { file: 'function-url.json', describes: 'Lambda function URL', event: functionUrl },
  sqs: { file: 'sqs-batch.json', describes: 'SQS batch of 3 messages', event: sqsBatch },
  'sqs-single': { file: 'sqs-single.json', describes: 'SQS batch of 1 message', event: sqsSingle },
  sns: { file: 'sns.json', describes: 'SNS notification', event: sns },
  eventbridge: { file: 'eventbridge.json', describes: 'EventBridge custom event OrderPlaced', event: eventbridge },
  schedule: { file: 'schedule.json', describes: 'EventBridge scheduled rule', event: schedule },
  direct: { file: 'direct.json', describes: 'direct invocation (SDK / aws lambda invoke)', event: direct },
} as const satisfies Record<string, Sample>;

export type SampleName = keyof typeof SAMPLES;

export const SAMPLE_NAMES = Object.keys(SAMPLES) as SampleName[];

export function isSampleName(name: string): name is SampleName {
  return Object.hasOwn(SAMPLES, name);
}

/** A fresh deep copy of the sample, safe to change. */
export function sampleEvent(name: SampleName): Record<string, unknown> {
  return structuredClone(SAMPLES[name].event) as Record<string, unknown>;
}
