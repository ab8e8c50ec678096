/**
 * lambda-observe: one span, correlated JSON logs, metrics and one wide event per Lambda invocation.
 * @packageDocumentation
 */
export { observe, isObserved, type ObservedHandler } from './observe.ts';
export type {
  ObserveOptions,
  LogLevel,
  RedactOptions,
  FlushMode,
  TracesExporterName,
  OtlpProtocol,
  OtlpCompression,
  PropagatorName,
  TracesSamplerName,
  MetricsExporterName,
} from './config.ts';
export { currentInvocation, type InvocationIds } from './context.ts';
export { getLogger, type Logger } from './logs/logger.ts';
export { redactText, redactValue } from './redact/redact.ts';
export { annotate, annotateEnvironment } from './event/annotate.ts';
export { withSpan } from './traces/with-span.ts';
export { createEnumGauge, type EnumGauge, type EnumGaugeOptions } from './metrics/enum-gauge.ts';
