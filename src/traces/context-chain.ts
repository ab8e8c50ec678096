/**
 * An OpenTelemetry `Context` for the invocation's contexts: an immutable chain of one value per
 * link over a base context, with its methods on the prototype.
 *
 * Why not the API's own (`ROOT_CONTEXT.setValue`): each of its contexts copies a Map and creates
 * three closures, which is slower and, measured, keeps a share of every invocation's objects
 * alive through young-generation collections while the code is not yet optimized — enough to make
 * V8 grow its new space to the maximum during warm-up (RSS). A link here is one small object.
 * Same semantics: `setValue`/`deleteValue` return a new context and never change this one.
 *
 * A chain never grows past MAX_DEPTH links: code that derives a context from itself in a loop
 * (`ctx = ctx.setValue(key, …)`) would otherwise keep every earlier value alive and make lookups
 * linear in the number of derivations. Past the limit the chain is rebuilt with one link per
 * distinct key, as the API's Map holds one entry per key.
 */
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/** Marks a key deleted by `deleteValue` (an explicit `undefined` value must stay distinguishable). */
const DELETED: unique symbol = Symbol('lambda-observe.context.deleted');
/** The key of the base link: it holds no value of its own. */
const NO_KEY: unique symbol = Symbol('lambda-observe.context.base');
/** Far beyond the handful of keys an invocation sets (span, baggage, suppression, ours). */
const MAX_DEPTH = 64;

class ContextLink implements Context {
  readonly #parent: Context;
  readonly #key: symbol;
  readonly #value: unknown;
  readonly #depth: number;

  constructor(parent: Context, key: symbol, value: unknown, depth: number) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
    this.#depth = depth;
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
    return this.#derive(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.#derive(key, DELETED);
  }

  #derive(key: symbol, value: unknown): Context {
    const parent = this.#depth < MAX_DEPTH ? this : this.#compacted();
    return new ContextLink(parent, key, value, parent.#depth + 1);
  }

  /** The chain's values, one link per key that still has one, over the same base. */
  #compacted(): ContextLink {
    const latest = new Map<symbol, unknown>();
    let link: ContextLink = this;
    for (;;) {
      if (link.#key !== NO_KEY && !latest.has(link.#key)) latest.set(link.#key, link.#value);
      const parent = link.#parent;
      if (!(#key in parent)) break;
      link = parent as ContextLink;
    }
    // `link` is now the base link (CHAIN_ROOT): every chain starts there.
    let compacted = link;
    for (const [key, value] of latest) {
      if (value !== DELETED) compacted = new ContextLink(compacted, key, value, compacted.#depth + 1);
    }
    return compacted;
  }
}

/** The root context's values as the first link of a chain: every context derived from it is a link. */
export const CHAIN_ROOT: Context = new ContextLink(ROOT_CONTEXT, NO_KEY, undefined, 0);
