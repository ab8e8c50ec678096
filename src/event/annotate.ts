/** Adding fields to the wide event from anywhere in the handler's async call tree. */
import { currentState } from '../context.ts';

const environmentFields: Record<string, unknown> = {};

/**
 * Add `fields` to the current invocation's wide event. Later calls overwrite earlier keys.
 * Outside an invocation it does nothing and returns false.
 * @example
 * annotate({ 'user.tier': 'gold', cart_items: 3 });
 */
export function annotate(fields: Record<string, unknown>): boolean {
  const state = currentState();
  if (!state || state.closed || !isFieldBag(fields)) return false;
  Object.assign(state.fields, fields);
  return true;
}

/**
 * Add `fields` to every wide event this execution environment writes from now on (e.g. the
 * deployment, a feature-flag snapshot loaded at init).
 */
export function annotateEnvironment(fields: Record<string, unknown>): boolean {
  if (!isFieldBag(fields)) return false;
  Object.assign(environmentFields, fields);
  return true;
}

/** The fields set with `annotateEnvironment()`. */
export function environmentEventFields(): Readonly<Record<string, unknown>> {
  return environmentFields;
}

function isFieldBag(fields: unknown): fields is Record<string, unknown> {
  return fields !== null && typeof fields === 'object' && !Array.isArray(fields);
}
