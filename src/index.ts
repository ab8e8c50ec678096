/**
 * lambda-observe: one span, correlated JSON logs, metrics and one wide event per Lambda invocation.
 * @packageDocumentation
 */
export { observe, isObserved, type ObservedHandler } from './observe.ts';
export type { ObserveOptions, LogLevel, TracesExporterName, FlushMode } from './config.ts';
export { currentInvocation, type InvocationIds } from './context.ts';
export { getLogger, type Logger } from './logs/logger.ts';
export type { RedactOptions } from './config.ts';
export { redactText, redactValue } from './redact/redact.ts';
export { annotate, annotateEnvironment } from './event/annotate.ts';
export { withSpan } from './traces/with-span.ts';
export type { OtlpProtocol, OtlpCompression, PropagatorName, TracesSamplerName } from './config.ts';
export { createEnumGauge, type EnumGauge, type EnumGaugeOptions } from './metrics/enum-gauge.ts';
export type { MetricsExporterName } from './config.ts';
