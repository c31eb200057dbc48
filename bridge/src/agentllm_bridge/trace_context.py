"""The W3C trace context the runtime's spans continue (`traceparent`, `tracestate`).

The parent is chosen as LiteLLM's own OpenTelemetry integration chooses it
(`integrations/opentelemetry.py`, `_get_span_context`): the proxy's request span
(`metadata["litellm_parent_otel_span"]`, set when the proxy's `otel` callback is on), else the
client's own `traceparent` header, else the span active in this context. With none of them the
runtime gets no header and starts its own trace. Only ids travel: no user, message or key.
"""

from collections.abc import Mapping

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from agentllm_bridge.identity import CallContext

# W3C explicitly, whatever propagator the proxy's process has installed: the runtime reads W3C.
_W3C = TraceContextTextMapPropagator()
_HEADERS = ("traceparent", "tracestate")


def trace_headers(call: CallContext) -> dict[str, str]:
    carrier: dict[str, str] = {}
    _W3C.inject(carrier, context=_parent_context(call))
    return carrier


def _parent_context(call: CallContext) -> otel_context.Context:
    proxy_span = call.metadata.get("litellm_parent_otel_span")
    if isinstance(proxy_span, trace.Span) and proxy_span.get_span_context().is_valid:
        return trace.set_span_in_context(proxy_span)
    incoming = _incoming(call.headers)
    if incoming:
        # A malformed header extracts to no span; the active context is used then.
        extracted = _W3C.extract(incoming)
        if trace.get_current_span(extracted).get_span_context().is_valid:
            return extracted
    return otel_context.get_current()


def _incoming(headers: Mapping[str, object]) -> dict[str, str]:
    return {name: value for name in _HEADERS if isinstance(value := headers.get(name), str)}
