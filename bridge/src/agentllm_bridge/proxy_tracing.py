"""LiteLLM's own OpenTelemetry spans, on only when the standard `OTEL_*` variables ask for them.

The rule is the runtime's (packages/runtime/src/tracing/start-tracing.ts): an exporter is named
(`OTEL_TRACES_EXPORTER=otlp|console`) or an OTLP endpoint is given (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none`
win. Otherwise no tracer provider is installed, no `otel` callback is registered, and nothing
connects anywhere. Export is OTLP over HTTP with protobuf, like the runtime.

LiteLLM's integration is handed our tracer provider instead of reading its own variables (it
would fall back to a console exporter, and it reads `OTEL_EXPORTER_OTLP_PROTOCOL` differently).
Message logging is turned off, and since LiteLLM still records the whole request metadata on its
spans (the end user, key alias and hash, requester headers and IP, hidden params), every span
passes through `PrivateSpanExporter` on its way out: only the attributes named below survive,
span events and status messages are dropped, and a span name LiteLLM took from the request
(`metadata.generation_name`) is replaced by a fixed one. The same filter covers FastAPI's own
server span (FastAPI traces every request once a tracer provider is installed), whose URL path,
query, client address and user agent are dropped.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    ParentBasedTraceIdRatio,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind, Status, Tracer, TraceState
from opentelemetry.util.types import Attributes

from agentllm_bridge.runtime_client import SettingsError

DEFAULT_SERVICE_NAME = "agentllm-proxy"

# Attributes that hold no user content, id or secret: routes, status codes, model and provider
# names, token counts and costs, LiteLLM's own call id. Anything else LiteLLM sets is dropped.
_KEEP = frozenset(
    {
        "http.route",
        "http.request.method",
        "http.response.status_code",
        "error.type",
        "gen_ai.operation.name",
        "gen_ai.request.model",
        "gen_ai.response.model",
        "gen_ai.system",
        "gen_ai.provider.name",
        "gen_ai.request.stream",
        "gen_ai.response.finish_reasons",
        "llm.request.type",
        "llm.is_streaming",
        "litellm.call_id",
        "service",
        "call_type",
        "db.system",
        "db.system.name",
        "db.operation.name",
    }
)
_KEEP_PREFIXES = ("gen_ai.usage.", "gen_ai.cost.", "llm.usage.")
# The names LiteLLM 1.108.7 gives its spans itself; a service span is named after its service.
_KNOWN_NAMES = frozenset({"Received Proxy Server Request", "litellm_request", "raw_gen_ai_request"})
_FALLBACK_NAME = "litellm_request"


@dataclass(frozen=True)
class TracingChoice:
    """What the variables ask for: `otlp` with the traces URL (None: the exporter's default), or `console`."""

    exporter: str
    url: str | None = None
    service_name: str = DEFAULT_SERVICE_NAME


def tracing_choice(env: Mapping[str, str]) -> TracingChoice | None:
    """None when tracing stays off. Raises `SettingsError` for an exporter we do not offer."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    named = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    url = _traces_url(env)
    service_name = env.get("OTEL_SERVICE_NAME", "").strip() or DEFAULT_SERVICE_NAME
    if named == "":
        return TracingChoice("otlp", url, service_name) if url else None
    if named == "none":
        return None
    if named in ("otlp", "console"):
        return TracingChoice(named, url if named == "otlp" else None, service_name)
    raise SettingsError(f"OTEL_TRACES_EXPORTER={named[:40]} is not supported here: use otlp, console or none")


def _traces_url(env: Mapping[str, str]) -> str | None:
    # The traces endpoint as it is, or the base endpoint with the signal's path (OTLP spec).
    traces = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if traces:
        return traces
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    return f"{base.rstrip('/')}/v1/traces" if base else None


def start_proxy_tracing(env: Mapping[str, str]) -> TracerProvider | None:
    """Installs the tracer provider and LiteLLM's `otel` callback when `env` asks for tracing.

    Call it after LiteLLM's CLI set-up and before the server starts. Returns the provider (its
    `shutdown()` flushes the queued spans), or None when tracing stays off.
    """
    choice = tracing_choice(env)
    if choice is None:
        return None
    exporter: SpanExporter
    if choice.exporter == "console":
        exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # Headers, timeout, compression and TLS come from the standard OTEL_EXPORTER_OTLP_* variables.
        exporter = OTLPSpanExporter(endpoint=choice.url) if choice.url else OTLPSpanExporter()
    provider = TracerProvider(
        resource=Resource.create({"service.name": choice.service_name}), sampler=proxy_sampler(env)
    )
    # The batch processor bounds its queue (OTEL_BSP_MAX_QUEUE_SIZE, default 2048): spans past it
    # are dropped, never held.
    provider.add_span_processor(BatchSpanProcessor(PrivateSpanExporter(exporter)))
    trace.set_tracer_provider(provider)
    _register_litellm_callback(provider)
    return provider


def proxy_sampler(env: Mapping[str, str]) -> Sampler:
    """The sampler `OTEL_TRACES_SAMPLER` names (the spec's default, `parentbased_always_on`, when
    unset), except that health probes, which an orchestrator sends every few seconds, are never
    traced (the runtime does not trace its probes either)."""
    return _NoProbes(sampler_from_env(env))


# The spec's built-in samplers; `jaeger_remote` and `xray` need a remote service, so they are not offered.
_RATIO_SAMPLERS = {"traceidratio": TraceIdRatioBased, "parentbased_traceidratio": ParentBasedTraceIdRatio}
_FIXED_SAMPLERS: dict[str, Sampler] = {
    "always_on": ALWAYS_ON,
    "always_off": ALWAYS_OFF,
    "parentbased_always_on": ParentBased(root=ALWAYS_ON),
    "parentbased_always_off": ParentBased(root=ALWAYS_OFF),
}


def sampler_from_env(env: Mapping[str, str]) -> Sampler:
    """`OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, read from `env` as the spec says.

    The SDK reads them only from `os.environ`, and only when no sampler is passed; it logs a
    warning and samples everything for a name it does not know. Here an unknown name or a ratio
    outside [0, 1] stops the start instead, naming the variable.
    """
    name = env.get("OTEL_TRACES_SAMPLER", "").strip().lower() or "parentbased_always_on"
    if name in _FIXED_SAMPLERS:
        return _FIXED_SAMPLERS[name]
    if name in _RATIO_SAMPLERS:
        arg = env.get("OTEL_TRACES_SAMPLER_ARG", "").strip()
        try:
            rate = float(arg) if arg else 1.0
        except ValueError:
            rate = -1.0
        if not 0.0 <= rate <= 1.0:
            raise SettingsError(f"OTEL_TRACES_SAMPLER_ARG={arg[:40]} is not a ratio between 0 and 1")
        return _RATIO_SAMPLERS[name](rate)
    known = ", ".join([*_FIXED_SAMPLERS, *_RATIO_SAMPLERS])
    raise SettingsError(f"OTEL_TRACES_SAMPLER={name[:40]} is not supported here: use one of {known}")


class _NoProbes(Sampler):
    def __init__(self, delegate: Sampler) -> None:
        self._delegate = delegate

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        # FastAPI starts its server span with the request's `url.path`.
        path = (attributes or {}).get("url.path")
        if isinstance(path, str) and (path == "/health" or path.startswith("/health/")):
            return SamplingResult(Decision.DROP)
        return self._delegate.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"NoProbes{{{self._delegate.get_description()}}}"


def _register_litellm_callback(provider: TracerProvider) -> None:
    import litellm
    from litellm.integrations.opentelemetry import OpenTelemetryConfig

    proxy_open_telemetry = _litellm_otel_class()

    # No prompt or answer in any span, whatever a request's metadata says.
    litellm.turn_off_message_logging = True
    # The constructor also makes it the proxy's `open_telemetry_logger` (the request span and the
    # parent the bridge forwards) and a service callback. The config's exporter is unused: the
    # provider given is used as it is. No metrics, no log events.
    otel = proxy_open_telemetry(
        config=OpenTelemetryConfig(exporter="none", enable_metrics=False, enable_events=False),
        callback_name="otel",
        tracer_provider=provider,
    )
    otel.message_logging = False
    litellm.callbacks.append(otel)


def _litellm_otel_class() -> type:
    from litellm.integrations.opentelemetry import OpenTelemetry

    class ProxyOpenTelemetry(OpenTelemetry):
        """Always our tracer: LiteLLM would build a tracer of its own, exporting past our filter,
        for a request that carries per-request OTel headers or settings."""

        def get_tracer_to_use_for_request(self, kwargs: dict[str, object]) -> Tracer:
            tracer: Tracer = self.tracer
            return tracer

    return ProxyOpenTelemetry


class PrivateSpanExporter(SpanExporter):
    """Exports copies of the spans with only the attributes in `_KEEP`, no events, no status message."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([private_copy(span) for span in spans])

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._inner.force_flush(timeout_millis)


def private_copy(span: ReadableSpan) -> ReadableSpan:
    attributes = {key: value for key, value in (span.attributes or {}).items() if _kept(key)}
    name = span.name if _fixed_name(span) else _FALLBACK_NAME
    return ReadableSpan(
        name=name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        # An exception event carries the exception's message, which can quote the request.
        events=(),
        links=[Link(link.context) for link in span.links],
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _kept(key: str) -> bool:
    return key in _KEEP or key.startswith(_KEEP_PREFIXES)


def _fixed_name(span: ReadableSpan) -> bool:
    scope = span.instrumentation_scope.name if span.instrumentation_scope else ""
    if scope != "litellm":
        # FastAPI's own telemetry (on once a tracer provider is installed) names its server span
        # "<method> <route template>" and its others "fastapi.<operation>": no request values.
        return True
    # LiteLLM names a service span after its ServiceTypes value (redis, postgres, auth, ...).
    from litellm.types.services import ServiceTypes

    return span.name in _KNOWN_NAMES or span.name in {service.value for service in ServiceTypes}
