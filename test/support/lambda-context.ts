/** A Lambda context as the Node.js runtime builds it, with a real deadline. */
import type { Context } from 'aws-lambda';

export interface ContextOptions {
  requestId?: string;
  timeoutMs?: number;
  functionName?: string;
  clientContext?: unknown;
}

let counter = 0;

export function lambdaContext(options: ContextOptions = {}): Context {
  const functionName = options.functionName ?? 'orders-api';
  const deadline = Date.now() + (options.timeoutMs ?? 3000);
  counter += 1;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: options.requestId ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef',
    clientContext: options.clientContext as Context['clientContext'],
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
