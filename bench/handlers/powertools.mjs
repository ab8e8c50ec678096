// Powertools for AWS Lambda (TypeScript): logger + metrics + tracer through their middy
// middlewares, doing the same work as observe.mjs: one log line, one annotation, one metric, one
// subsegment (X-Ray's child span).
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();

const lambdaHandler = async (event) => {
  const id = event.pathParameters?.id ?? 'unknown';
  logger.info('loading order', { 'order.id': id });
  tracer.putAnnotation('user_tier', 'gold');
  metrics.addMetric('ordersLoaded', MetricUnit.Count, 1);
  const parent = tracer.getSegment();
  const subsegment = parent?.addNewSubsegment('load order');
  if (subsegment) tracer.setSegment(subsegment);
  tracer.putMetadata('order.id', id);
  const order = { id, total: 42 };
  subsegment?.close();
  if (parent) tracer.setSegment(parent);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) };
};

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(injectLambdaContext(logger));
