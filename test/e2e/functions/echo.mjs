// Plain ESM handler (no lambda-observe): echoes the event and what the runtime told it.
let invocations = 0;

export const handler = async (event, context) => {
  invocations++;
  if (event?.lateTimerMs) {
    // Work scheduled after the response: under Lambda it only runs when the sandbox is thawed.
    setTimeout(() => console.log(`late timer fired for ${context.awsRequestId}`), event.lateTimerMs);
  }
  return {
    ok: true,
    event,
    invocations,
    pid: process.pid,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    clientContext: context.clientContext,
    remainingMs: context.getRemainingTimeInMillis(),
    traceEnv: process.env._X_AMZN_TRACE_ID,
    wrapped: process.env.TEST_WRAPPED,
    nodePath: process.env.NODE_PATH,
    node: process.version,
  };
};
