// The environment variables Lambda gives the runtime process and, with runtime-only ones
// removed, the external extensions. Nothing is inherited from the test process: a function
// must not pass here because of something only a developer's shell provides.
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

export interface FunctionConfig {
  functionName: string;
  functionVersion: string;
  memorySizeMb: number;
  region: string;
  accountId: string;
  handler: string;
  taskRoot: string;
  optDir: string | undefined;
  nodePath: string | undefined;
  execWrapper: string | undefined;
  /** The function's own environment variables; they win over the defaults below (as far as Lambda lets them). */
  customerEnv: Record<string, string>;
}

export function functionArn(config: FunctionConfig): string {
  return `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.functionName}`;
}

export function runtimeEnv(config: FunctionConfig, runtimeApi: string): Record<string, string> {
  const opt = config.optDir;
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const env: Record<string, string> = {
    // Lambda: PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin. /var/lang/bin holds the
    // runtime's node; here that is the Node 22 running the tests (node --test on Node 22).
    PATH: [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin', ...(opt ? [`${opt}/bin`] : [])].join(':'),
    LANG: 'en_US.UTF-8',
    // Lambda's nodejs bootstrap: /opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:
    // /var/runtime/node_modules:/var/runtime:/var/task.
    NODE_PATH:
      config.nodePath ??
      [...(opt ? [`${opt}/nodejs/node22/node_modules`, `${opt}/nodejs/node_modules`] : []), config.taskRoot].join(':'),
    ...config.customerEnv,
    // Reserved: the function's own variables cannot override these.
    TZ: ':UTC',
    _HANDLER: config.handler,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: config.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySizeMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${today}/[${config.functionVersion}]${randomBytes(16).toString('hex')}`,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    LAMBDA_TASK_ROOT: config.taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
  };
  if (config.execWrapper !== undefined) env.AWS_LAMBDA_EXEC_WRAPPER = config.execWrapper;
  return env;
}

// Lambda's API server (RAPID) starts extensions with the platform and function variables but
// not the runtime's own (env.AgentExecEnv in aws-lambda-runtime-interface-emulator), and never
// with variables starting with '_'.
const RUNTIME_ONLY = new Set(['AWS_EXECUTION_ENV', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'AWS_XRAY_CONTEXT_MISSING']);

export function extensionEnv(runtime: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(runtime).filter(([key]) => !key.startsWith('_') && !RUNTIME_ONLY.has(key)));
}
