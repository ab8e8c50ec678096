/**
 * What a trigger detector learns from an event. Detectors are pure: they never throw, never log,
 * and report malformed input as `warnings` that the lifecycle writes once per environment.
 */

/** `faas.trigger` values of the OpenTelemetry FaaS semantic conventions. */
export type FaasTrigger = 'http' | 'pubsub' | 'datasource' | 'timer' | 'other';

/** Span kinds by name; the lifecycle maps them to `SpanKind`. */
export type TriggerSpanKind = 'server' | 'consumer';

/** A propagation carrier: lower-cased header-like keys (traceparent, tracestate, baggage, x-amzn-trace-id). */
export type Carrier = Record<string, string>;

export type AttributeValue = string | number | boolean;

export interface HttpInfo {
  readonly method: string;
  /** The route template (`/orders/{id}`), never a raw path; undefined when the source has none. */
  readonly route: string | undefined;
  /** The request headers lambda-observe reads (propagation, x-request-id, user-agent), lower-cased. */
  readonly headers: Carrier;
}

export interface TriggerInfo {
  readonly trigger: FaasTrigger;
  /** Which event source this is, e.g. `aws:apigateway:rest`, `aws:sqs`. */
  readonly source: string;
  /** Span name, or undefined to use the function name. */
  readonly spanName: string | undefined;
  readonly spanKind: TriggerSpanKind;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** Where the parent context may be found (W3C headers, or an X-Ray header under `x-amzn-trace-id`). */
  readonly parentCarrier: Carrier | undefined;
  /** One carrier per message of a batch; each valid one becomes a span link. */
  readonly linkCarriers: readonly Carrier[];
  readonly http: HttpInfo | undefined;
  /** Problems found in the event, to be warned once each. */
  readonly warnings: readonly string[];
}

/** One event source: recognise its events and read what they carry. */
export interface TriggerDetector {
  readonly source: string;
  matches(event: Record<string, unknown>): boolean;
  describe(event: Record<string, unknown>, context: DetectContext): TriggerInfo;
}

/** What detectors may read besides the event. */
export interface DetectContext {
  readonly functionName: string;
  readonly clientContext: unknown;
}
