/**
 * Loaded with `--import` by metrics tests: records every module specifier resolved afterwards in
 * `globalThis.__resolvedSpecifiers`, so a test can see which exporters an environment loaded
 * (an exporter that is not used must cost nothing at cold start).
 */
import { registerHooks } from 'node:module';

const resolved: string[] = [];
(globalThis as { __resolvedSpecifiers?: string[] }).__resolvedSpecifiers = resolved;
registerHooks({
  resolve(specifier, context, nextResolve) {
    resolved.push(specifier);
    return nextResolve(specifier, context);
  },
});
