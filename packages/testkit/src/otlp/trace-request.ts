import protobuf from "protobufjs";

/**
 * The part of OTLP's trace protocol a test reads (opentelemetry-proto v1: collector/trace/v1,
 * trace/v1, common/v1, resource/v1), with the specification's field numbers. Fields left out
 * (links, dropped counts, flags, schema URLs) are skipped by the decoder, as protobuf does.
 */
const TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  repeated Event events = 11;
  Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
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
`;

const requestType = protobuf
  .parse(TRACE_PROTO, { keepCase: true })
  .root.lookupType("otlp.ExportTraceServiceRequest");

/** OTLP's span kinds (SPAN_KIND_*), as numbers on the wire. */
export const OtlpSpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export type AttributeValue =
  | string
  | number
  | boolean
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

/** One span as a collector received it, with ids in lowercase hex. */
export interface CollectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  /** The resource's `service.name`. */
  readonly serviceName: string;
  readonly scope: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly {
    readonly name: string;
    readonly attributes: Readonly<Record<string, AttributeValue>>;
  }[];
  readonly status: { readonly code: number; readonly message: string };
}

interface WireKeyValue {
  key?: string;
  value?: WireAnyValue;
}
interface WireAnyValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number;
  double_value?: number;
  array_value?: { values?: WireAnyValue[] };
  kvlist_value?: { values?: WireKeyValue[] };
  bytes_value?: string;
}
interface WireSpan {
  trace_id?: string;
  span_id?: string;
  parent_span_id?: string;
  name?: string;
  kind?: number;
  attributes?: WireKeyValue[];
  events?: { name?: string; attributes?: WireKeyValue[] }[];
  status?: { message?: string; code?: number };
}
interface WireRequest {
  resource_spans?: {
    resource?: { attributes?: WireKeyValue[] };
    scope_spans?: { scope?: { name?: string }; spans?: WireSpan[] }[];
  }[];
}

/** Decodes an OTLP/HTTP protobuf trace export (`ExportTraceServiceRequest`). Throws on bad bytes. */
export function decodeTraceRequest(body: Uint8Array): CollectedSpan[] {
  const wire = requestType.toObject(requestType.decode(body), {
    longs: Number,
    bytes: String,
    defaults: false,
  }) as WireRequest;
  const spans: CollectedSpan[] = [];
  for (const resourceSpans of wire.resource_spans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    const serviceName =
      typeof resource["service.name"] === "string" ? resource["service.name"] : "";
    for (const scopeSpans of resourceSpans.scope_spans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const parent = hex(span.parent_span_id);
        spans.push({
          traceId: hex(span.trace_id),
          spanId: hex(span.span_id),
          ...(parent ? { parentSpanId: parent } : {}),
          name: span.name ?? "",
          kind: span.kind ?? 0,
          serviceName,
          scope: scopeSpans.scope?.name ?? "",
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((event) => ({
            name: event.name ?? "",
            attributes: attributesOf(event.attributes),
          })),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
        });
      }
    }
  }
  return spans;
}

function hex(base64: string | undefined): string {
  return base64 ? Buffer.from(base64, "base64").toString("hex") : "";
}

function attributesOf(list: WireKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) if (key !== undefined) out[key] = attributeValue(value);
  return out;
}

function attributeValue(value: WireAnyValue | undefined): AttributeValue {
  if (!value) return "";
  if (value.string_value !== undefined) return value.string_value;
  if (value.bool_value !== undefined) return value.bool_value;
  if (value.int_value !== undefined) return value.int_value;
  if (value.double_value !== undefined) return value.double_value;
  if (value.array_value) return (value.array_value.values ?? []).map(attributeValue);
  if (value.kvlist_value) return attributesOf(value.kvlist_value.values);
  if (value.bytes_value !== undefined) return hex(value.bytes_value);
  return "";
}
