/**
 * The part of the OTLP protobuf schema a trace receiver needs, and the codec built from it.
 *
 * The OTel JS packages only ship an encoder now, so a test that wants to know what actually went
 * over the wire needs its own decoder. The .proto text below is a subset of opentelemetry-proto
 * (common/v1, resource/v1, trace/v1, collector/trace/v1) and google/rpc/status.proto with the
 * upstream field numbers; fields we do not read are left out, which protobuf decoding tolerates
 * (unknown fields are skipped), so a newer exporter adding fields does not break the receiver.
 *
 * Parsed without `keepCase`, protobufjs names fields in lowerCamelCase, exactly like OTLP/JSON,
 * so one normalizer (otlp-receiver.ts) reads both encodings.
 */
import protobuf from 'protobufjs';
import type { Root, Type } from 'protobufjs';

const COMMON_V1 = `
syntax = "proto3";
package opentelemetry.proto.common.v1;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue {
  string key = 1;
  AnyValue value = 2;
}
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
`;

const RESOURCE_V1 = `
syntax = "proto3";
package opentelemetry.proto.resource.v1;

message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
`;

const TRACE_V1 = `
syntax = "proto3";
package opentelemetry.proto.trace.v1;

message ResourceSpans {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0;
    SPAN_KIND_INTERNAL = 1;
    SPAN_KIND_SERVER = 2;
    SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4;
    SPAN_KIND_CONSUMER = 5;
  }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  reserved 1;
  string message = 2;
  enum StatusCode {
    STATUS_CODE_UNSET = 0;
    STATUS_CODE_OK = 1;
    STATUS_CODE_ERROR = 2;
  }
  StatusCode code = 3;
}
`;

const COLLECTOR_TRACE_V1 = `
syntax = "proto3";
package opentelemetry.proto.collector.trace.v1;

message ExportTraceServiceRequest {
  repeated opentelemetry.proto.trace.v1.ResourceSpans resource_spans = 1;
}
message ExportTraceServiceResponse {
  ExportTracePartialSuccess partial_success = 1;
}
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
`;

/** What an OTLP/HTTP server puts in the body of a non-2xx answer (details omitted). */
const GOOGLE_RPC_STATUS = `
syntax = "proto3";
package google.rpc;

message Status {
  int32 code = 1;
  string message = 2;
}
`;

/** Built on first use: parsing costs a few ms that tests not decoding protobuf should not pay. */
let root: Root | undefined;

function otlpRoot(): Root {
  if (root !== undefined) return root;
  const built = new protobuf.Root();
  for (const text of [COMMON_V1, RESOURCE_V1, TRACE_V1, COLLECTOR_TRACE_V1, GOOGLE_RPC_STATUS]) {
    protobuf.parse(text, built);
  }
  // Resolve now so a typo in a type reference fails here, not in the middle of a request.
  built.resolveAll();
  root = built;
  return built;
}

function messageType(name: string): Type {
  return otlpRoot().lookupType(name);
}

/**
 * Decodes an ExportTraceServiceRequest into a plain object shaped like its OTLP/JSON form,
 * except that ids are bytes (Uint8Array) and 64-bit integers are decimal strings.
 * Throws on bytes that are not a valid message.
 */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  const type = messageType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  // longs as String: fixed64 nanosecond times exceed Number.MAX_SAFE_INTEGER.
  return type.toObject(type.decode(bytes), { longs: String, enums: Number });
}

/** An empty ExportTraceServiceResponse: what a collector answers when it took everything. */
export function encodeEmptyExportResponse(): Uint8Array {
  const type = messageType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
  return type.encode(type.create({})).finish();
}

/** A google.rpc.Status, the body an OTLP/HTTP server sends with a 4xx/5xx to protobuf clients. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const type = messageType('google.rpc.Status');
  return type.encode(type.create({ code, message })).finish();
}

/** Reads a google.rpc.Status body back (for tests checking what the receiver answered). */
export function decodeRpcStatus(bytes: Uint8Array): { code: number; message: string } {
  const type = messageType('google.rpc.Status');
  const status = type.toObject(type.decode(bytes), { defaults: true });
  return { code: Number(status.code), message: String(status.message) };
}
