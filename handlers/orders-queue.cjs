// An SQS consumer (CommonJS) with partial batch responses; no lambda-observe import. Messages
// whose body is not JSON are reported back as failures, so SQS retries only those.
'use strict';

exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event?.Records ?? []) {
    try {
      const message = JSON.parse(record.body);
      if (message.fail) throw new Error(`order ${message.orderId} cannot be processed`);
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
