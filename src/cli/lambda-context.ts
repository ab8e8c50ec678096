/**
 * A realistic Lambda execution environment for a local run: the variables Lambda sets before the
 * handler module loads, and a context object per invocation (request id, ARN, deadline, log
 * group and stream). Values the user already set in the environment win.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** What identifies the simulated function. */
export interface FunctionSettings {
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** `_HANDLER` as Lambda would hold it. */
  readonly handler: string;
  readonly taskRoot: string;
}

/** The Lambda context the runtime passes to a Node.js handler. */
export interface LocalLambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly identity: undefined;
  readonly clientContext: unknown;
  getRemainingTimeInMillis(): number;
  done(error?: unknown, result?: unknown): void;
  fail(error: unknown): void;
  succeed(result: unknown): void;
}

const ACCOUNT_ID = '123456789012';

/**
 * Set Lambda's reserved variables in `env` (normally `process.env`) where they are missing.
 * Must run before the handler module and lambda-observe's config are loaded.
 */
export function applyLambdaEnvironment(env: Record<string, string | undefined>, settings: FunctionSettings): void {
  const name = env.AWS_LAMBDA_FUNCTION_NAME || settings.functionName;
  const version = env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST';
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const defaults: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${version}]${randomBytes(16).toString('hex')}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: env.AWS_DEFAULT_REGION || 'us-east-1',
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    _HANDLER: settings.handler,
    LAMBDA_TASK_ROOT: settings.taskRoot,
    TZ: ':UTC',
  };
  for (const [key, value] of Object.entries(defaults)) if (!env[key]) env[key] = value;
}

/** A new context for one invocation, whose deadline starts now. */
export function createLambdaContext(env: Readonly<Record<string, string | undefined>>, timeoutMs: number): LocalLambdaContext {
  const deadline = Date.now() + timeoutMs;
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  const region = env.AWS_REGION ?? 'us-east-1';
  const legacy = () => {
    // The callback-era methods exist on the real context; calling them locally does nothing useful.
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: randomUUID(),
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${functionName}`,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: legacy,
    fail: legacy,
    succeed: legacy,
  };
}

/** A function name from a handler file: `handlers/orders-api.mjs` → `orders-api`. */
export function functionNameFor(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? 'function';
  const name = base.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]/g, '-');
  return name || 'function';
}
