/**
 * What a Pushgateway push loads lazily (pushgateway-sink.ts), as one module: the text writer and
 * the client. One dynamic import rather than two: the bundles would make a separate chunk of a
 * module that is both imported lazily and imported by another lazy module, and every chunk file
 * is a resolution, a read and a compile more at a cold start.
 */
export { createGroupWriter } from './exposition.ts';
export { createPushgatewayClient } from './pushgateway-client.ts';
