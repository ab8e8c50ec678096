/**
 * An OpenTelemetry `Context` for the invocation's contexts: an immutable chain of one value per
 * link over a base context, with its methods on the prototype.
 *
 * Why not the API's own (`ROOT_CONTEXT.setValue`): each of its contexts copies a Map and creates
 * three closures, which is slower and, measured, keeps a share of every invocation's objects
 * alive through young-generation collections while the code is not yet optimized — enough to make
 * V8 grow its new space to the maximum during warm-up (RSS). A link here is one small object.
 * Same semantics: `setValue`/`deleteValue` return a new context and never change this one.
 */
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/** Marks a key deleted by `deleteValue` (an explicit `undefined` value must stay distinguishable). */
const DELETED: unique symbol = Symbol('lambda-observe.context.deleted');
/** The key of the base link: it holds no value of its own. */
const NO_KEY: unique symbol = Symbol('lambda-observe.context.base');

class ContextLink implements Context {
  readonly #parent: Context;
  readonly #key: symbol;
  readonly #value: unknown;

  constructor(parent: Context, key: symbol, value: unknown) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
  }

  getValue(key: symbol): unknown {
    let link: ContextLink = this;
    for (;;) {
      if (link.#key === key) return link.#value === DELETED ? undefined : link.#value;
      const parent = link.#parent;
      if (!(#key in parent)) return parent.getValue(key);
      link = parent as ContextLink;
    }
  }

  setValue(key: symbol, value: unknown): Context {
    return new ContextLink(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return new ContextLink(this, key, DELETED);
  }
}

/** The root context's values as the first link of a chain: every context derived from it is a link. */
export const CHAIN_ROOT: Context = new ContextLink(ROOT_CONTEXT, NO_KEY, undefined);
