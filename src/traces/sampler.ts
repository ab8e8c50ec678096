/**
 * `OTEL_TRACES_SAMPLER` / `_ARG` → the SDK sampler. The default, parent-based always-on, follows the
 * caller's decision: a trace sampled upstream is never cut in the middle by this function.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { TracesConfig } from '../config.ts';

export function createSampler(traces: Pick<TracesConfig, 'sampler' | 'samplerRatio'>): Sampler {
  switch (traces.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(traces.samplerRatio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(traces.samplerRatio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
