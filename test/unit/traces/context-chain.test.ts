/** The invocation's OpenTelemetry contexts (src/traces/context-chain.ts) behave as the API's own. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createContextKey, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { CHAIN_ROOT } from '../../../src/traces/context-chain.ts';

const A = createContextKey('lambda-observe.test.a');
const B = createContextKey('lambda-observe.test.b');

/** The same operations on the chain and on the API's root give the same values. */
function both(ops: (root: Context) => Context): [Context, Context] {
  return [ops(CHAIN_ROOT), ops(ROOT_CONTEXT)];
}

describe('context chain', () => {
  test('set, override, delete and explicit undefined read as with the API context', () => {
    const cases: Array<(root: Context) => Context> = [
      (root) => root,
      (root) => root.setValue(A, 1),
      (root) => root.setValue(A, 1).setValue(B, 2).setValue(A, 3),
      (root) => root.setValue(A, 1).deleteValue(A),
      (root) => root.setValue(A, 1).deleteValue(A).setValue(A, 4),
      (root) => root.setValue(A, 1).setValue(A, undefined),
      (root) => root.deleteValue(B),
    ];
    for (const ops of cases) {
      const [chain, api] = both(ops);
      assert.equal(chain.getValue(A), api.getValue(A));
      assert.equal(chain.getValue(B), api.getValue(B));
    }
  });

  test('contexts are immutable: deriving one leaves its parent unchanged', () => {
    const parent = CHAIN_ROOT.setValue(A, 'parent');
    const child = parent.setValue(A, 'child').deleteValue(B);
    assert.equal(parent.getValue(A), 'parent');
    assert.equal(child.getValue(A), 'child');
    assert.equal(CHAIN_ROOT.getValue(A), undefined);
  });

  test('spans set through the API are found, and a deleted span is gone', () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const withSpan = trace.setSpan(CHAIN_ROOT, span);
    assert.equal(trace.getSpan(withSpan), span);
    assert.equal(trace.getSpan(trace.deleteSpan(withSpan)), undefined);
    assert.equal(trace.getSpan(CHAIN_ROOT), undefined);
  });
});

describe('context chain depth', () => {
  test('a context derived from itself many times keeps one value per key and lets earlier values go', async () => {
    let chain: Context = CHAIN_ROOT.setValue(B, 'kept');
    let api: Context = ROOT_CONTEXT.setValue(B, 'kept');
    let first: WeakRef<object> | undefined;
    for (let i = 0; i < 10_000; i++) {
      const value = { i };
      first ??= new WeakRef(value);
      chain = chain.setValue(A, value);
      api = api.setValue(A, value);
      if (i % 1000 === 0) {
        chain = chain.deleteValue(B).setValue(B, `kept ${i}`);
        api = api.deleteValue(B).setValue(B, `kept ${i}`);
      }
    }
    assert.deepEqual(chain.getValue(A), { i: 9_999 });
    assert.equal(chain.getValue(B), api.getValue(B));
    assert.equal(chain.deleteValue(A).getValue(A), undefined);
    // The first value is overridden 9,999 times: a chain that kept every link would keep it alive.
    api = ROOT_CONTEXT;
    await new Promise((resolve) => setImmediate(resolve)); // WeakRef targets live to the end of the job
    collectGarbage();
    assert.equal(first?.deref(), undefined, 'the first value is still reachable from the chain');
  });
});

/** A full GC, without starting the test process with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
