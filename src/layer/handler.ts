/**
 * The layer's handler module. The exec wrapper (`/opt/lambda-observe-wrapper`) points `_HANDLER`
 * here and saves the function's own handler setting in LAMBDA_OBSERVE_HANDLER; the runtime loads
 * this module, which loads and wraps the function's handler during init (top-level await).
 *
 * Bundled next to the package's entry points, so a function that also imports `lambda-observe`
 * from the layer (for `getLogger()`, `annotate()`) shares this very module instance.
 */
import { loadObservedHandler } from './zero-code.ts';

/** The function's own handler, wrapped with `observe()`. */
export const handler = await loadObservedHandler();
