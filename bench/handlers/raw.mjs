// The baseline: the same handler with no telemetry at all. Every other variant is measured as
// "cost over this".
export const handler = async (event) => {
  const id = event.pathParameters?.id ?? 'unknown';
  const order = { id, total: 42 };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) };
};
