/**
 * lambda-observe's global tracer provider, registered when lambda-observe is imported. The SDK's
 * provider becomes its delegate when tracing is set up (the first `observe()` invocation, or the
 * layer's init).
 *
 * Why at import: a tracer taken from `@opentelemetry/api` before any provider is registered is a
 * proxy of the copy of the API it came from, and only a registration through that same copy ever
 * gives it a delegate. A function that takes its tracer at module scope from another copy than
 * the one bundled into lambda-observe (the layer's `@opentelemetry/api`, or one bundled into the
 * function next to lambda-observe from the layer) would otherwise get non-recording spans for
 * good: they carry the invocation's ids, so nothing looks wrong, but no span is ever exported.
 * Registered at import, any copy's `trace.getTracer()` after `import 'lambda-observe'` reaches
 * this provider. (The meter provider is registered at import for a similar reason:
 * src/metrics/provider.ts.)
 */
import { ProxyTracerProvider, trace, type TracerProvider } from '@opentelemetry/api';

// The API's own proxy: its tracers find the delegate on first use and then call it directly.
// (Deprecated for the API's next major version, which will have to offer another way.)
const globalProvider = new ProxyTracerProvider();
/** False when a provider was registered before lambda-observe was imported: that one stays global. */
const registered = trace.setGlobalTracerProvider(globalProvider);

/** Route the global tracers to the SDK's provider; false when another provider is the global one. */
export function delegateGlobalTracerProvider(provider: TracerProvider): boolean {
  if (!registered) return false;
  globalProvider.setDelegate(provider);
  return true;
}
