// A scheduled (EventBridge rule) job; no lambda-observe import. Its return value is ignored by
// Lambda, but shows up in a local run.
export const handler = async (event) => {
  const day = (event?.time ?? new Date().toISOString()).slice(0, 10);
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { report: `orders-${day}`, rows: 128 };
};
