export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SPANS,
  type FakeOtlpCollector,
  type FakeOtlpCollectorOptions,
  startFakeOtlpCollector,
} from "./server.ts";
export {
  type AttributeValue,
  type CollectedSpan,
  decodeTraceRequest,
  OtlpSpanKind,
} from "./trace-request.ts";
