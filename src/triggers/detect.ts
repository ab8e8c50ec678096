/** Find the event source of an invocation. Order matters: the most specific shapes come first. */
import { alb } from './alb.ts';
import { apiGatewayHttp } from './apigateway-http.ts';
import { apiGatewayRest } from './apigateway-rest.ts';
import { direct } from './direct.ts';
import { eventBridge } from './eventbridge.ts';
import { functionUrl } from './function-url.ts';
import { asBag } from './read.ts';
import { schedule } from './schedule.ts';
import { sns } from './sns.ts';
import { sqs } from './sqs.ts';
import { streams } from './streams.ts';
import type { DetectContext, TriggerDetector, TriggerInfo } from './types.ts';

const DETECTORS: readonly TriggerDetector[] = [
  alb,
  functionUrl,
  apiGatewayHttp,
  apiGatewayRest,
  sqs,
  sns,
  streams,
  schedule,
  eventBridge,
];

/** Describe the trigger of `event`. Never throws: anything unrecognised is a direct invocation. */
export function detectTrigger(event: unknown, context: DetectContext): TriggerInfo {
  const bag = asBag(event) ?? {};
  try {
    for (const detector of DETECTORS) {
      if (detector.matches(bag)) return detector.describe(bag, context);
    }
  } catch (error) {
    const info = direct.describe(bag, context);
    return { ...info, warnings: [`trigger detection failed (${String(error)}); treated as a direct invocation`] };
  }
  return direct.describe(bag, context);
}
