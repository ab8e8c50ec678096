/**
 * lambda-observe: one span, correlated JSON logs, metrics and one wide event per Lambda invocation.
 * @packageDocumentation
 */
export { observe, isObserved, type ObservedHandler } from './observe.ts';
export type { ObserveOptions, LogLevel, TracesExporterName, FlushMode } from './config.ts';
export { currentInvocation, type InvocationIds } from './context.ts';
export { getLogger, type Logger } from './logs/logger.ts';
export { annotate, annotateEnvironment } from './event/annotate.ts';
