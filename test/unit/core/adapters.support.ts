/**
 * The same handler behaviours, wrapped by each adapter, so every lifecycle test runs through
 * `observe()` and through the middy middleware alike.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { observe } from '../../../src/index.ts';
import { observeMiddleware } from '../../../src/middy.ts';
import type { ObserveOptions } from '../../../src/config.ts';

export type Invoke = (event: unknown, context: Context) => Promise<unknown>;
type Body = (event: any, context: Context) => Promise<unknown>;

export interface Adapter {
  readonly name: string;
  wrap(body: Body, options?: ObserveOptions): Invoke;
}

export const adapters: readonly Adapter[] = [
  { name: 'observe()', wrap: (body, options) => observe(body, options) as Invoke },
  {
    name: 'middy middleware',
    wrap: (body, options) => middy().use(observeMiddleware(options)).handler(body) as unknown as Invoke,
  },
];
