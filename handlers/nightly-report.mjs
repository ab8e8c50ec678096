// A scheduled (EventBridge rule) job; no lambda-observe import. Its return value is ignored by
// Lambda, but shows up in a local run. `simulateDelayMs` in the event stands in for a slow
// report query (the tests use it to run into the function's timeout).
export const handler = async (event) => {
  const day = (event?.time ?? new Date().toISOString()).slice(0, 10);
  const delayMs = Number(event?.simulateDelayMs ?? 5);
  await new Promise((resolve) => setTimeout(resolve, Number.isFinite(delayMs) ? delayMs : 5));
  return { report: `orders-${day}`, rows: 128 };
};
