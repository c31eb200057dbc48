"""LiteLLM's `otel` callback: on only when OTEL_* asks, and nothing private leaves in a span."""

import subprocess
import sys
import textwrap

import pytest
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from agentllm_bridge.proxy_tracing import (
    TracingChoice,
    private_copy,
    proxy_sampler,
    sampler_from_env,
    start_proxy_tracing,
    tracing_choice,
)
from agentllm_bridge.runtime_client import SettingsError


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"OTEL_SERVICE_NAME": "proxy"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "  "},
    ],
)
def test_tracing_stays_off_unless_an_exporter_is_asked_for(env: dict[str, str]) -> None:
    assert tracing_choice(env) is None


def test_the_endpoint_gets_the_traces_path_as_the_otlp_spec_says() -> None:
    assert tracing_choice({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}) == TracingChoice(
        "otlp", "http://collector:4318/v1/traces"
    )
    traces = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c/x", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://other"}
    assert tracing_choice(traces) == TracingChoice("otlp", "http://c/x")
    assert tracing_choice({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "edge"}) == TracingChoice(
        "otlp", None, "edge"
    )
    assert tracing_choice({"OTEL_TRACES_EXPORTER": "Console"}) == TracingChoice("console")


def test_an_unknown_exporter_stops_the_start_with_its_name() -> None:
    with pytest.raises(SettingsError, match="OTEL_TRACES_EXPORTER=zipkin"):
        tracing_choice({"OTEL_TRACES_EXPORTER": "zipkin"})


def test_without_otel_variables_nothing_is_registered() -> None:
    import litellm
    from litellm.proxy import proxy_server
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    before = (list(litellm.callbacks), list(litellm.service_callback), litellm.turn_off_message_logging)
    assert start_proxy_tracing({"PATH": "/usr/bin", "OTEL_SERVICE_NAME": "proxy"}) is None
    assert (list(litellm.callbacks), list(litellm.service_callback), litellm.turn_off_message_logging) == before
    # No request span, so nothing for LiteLLM to export, and no SDK provider that could connect.
    assert proxy_server.open_telemetry_logger is None
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)


def test_with_an_endpoint_litellm_gets_its_otel_callback_with_message_logging_off() -> None:
    # A fresh interpreter: the global tracer provider can be set once per process.
    probe = textwrap.dedent(
        """
        import litellm
        from litellm.integrations.opentelemetry import OpenTelemetry
        from litellm.proxy import proxy_server
        from agentllm_bridge.proxy_tracing import start_proxy_tracing
        provider = start_proxy_tracing({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
        otel = [cb for cb in litellm.callbacks if isinstance(cb, OpenTelemetry)]
        print(len(otel), proxy_server.open_telemetry_logger is otel[0], litellm.turn_off_message_logging,
              otel[0].tracer is otel[0].get_tracer_to_use_for_request({"standard_callback_dynamic_params": {"x": 1}}))
        provider.shutdown()
        """
    )
    env = {"PATH": "/usr/bin:/bin", "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_MODE": "PRODUCTION"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split() == ["1", "True", "True", "True"], result.stderr


def _span(name: str, attributes: dict[str, object], scope: str = "litellm") -> ReadableSpan:
    context = SpanContext(0xABC, 0x123, is_remote=False, trace_flags=TraceFlags(1))
    return ReadableSpan(
        name=name,
        context=context,
        parent=SpanContext(0xABC, 0x456, is_remote=True),
        attributes=attributes,  # type: ignore[arg-type]
        events=[Event("exception", {"exception.message": "secret word MARMALADE"})],
        kind=SpanKind.SERVER,
        status=Status(StatusCode.ERROR, "quoted: MARMALADE"),
        start_time=1,
        end_time=2,
        instrumentation_scope=InstrumentationScope(scope),
    )


def test_only_content_free_attributes_leave_the_process() -> None:
    span = _span(
        "Received Proxy Server Request",
        {
            "http.route": "/v1/chat/completions",
            "http.response.status_code": 200,
            "gen_ai.request.model": "agno/demo-agent",
            "gen_ai.usage.prompt_tokens": 12,
            "litellm.call_id": "3f1e",
            "metadata.user_api_key_end_user_id": "user-4411",
            "metadata.user_api_key_hash": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
            "metadata.requester_metadata": '{"chat": "MARMALADE"}',
            "metadata.requester_ip_address": "10.0.0.7",
            "hidden_params": '{"api_base": "http://runtime?token=x"}',
            "llm.user": "user-4411",
            "gen_ai.prompt.0.content": "MARMALADE",
            "url.path": "/v1/chat/completions",
        },
    )
    copy = private_copy(span)
    assert dict(copy.attributes or {}) == {
        "http.route": "/v1/chat/completions",
        "http.response.status_code": 200,
        "gen_ai.request.model": "agno/demo-agent",
        "gen_ai.usage.prompt_tokens": 12,
        "litellm.call_id": "3f1e",
    }
    assert copy.events == ()
    assert copy.status.status_code is StatusCode.ERROR
    assert copy.status.description is None
    assert (copy.name, copy.context, copy.parent, copy.kind) == (span.name, span.context, span.parent, span.kind)


def test_a_span_name_taken_from_the_request_is_replaced() -> None:
    # LiteLLM names its request span after metadata.generation_name when a client sends one.
    assert private_copy(_span("MARMALADE plans", {})).name == "litellm_request"
    assert private_copy(_span("auth", {"service": "auth"})).name == "auth"
    assert private_copy(_span("litellm_request", {})).name == "litellm_request"
    # FastAPI's server span: method and route template.
    assert private_copy(_span("POST /v1/chat/completions", {}, scope="fastapi")).name == "POST /v1/chat/completions"


def test_fastapis_server_span_keeps_no_path_query_or_client() -> None:
    span = _span(
        "GET /key/info",
        {
            "http.request.method": "GET",
            "http.route": "/key/info",
            "url.path": "/key/info",
            "url.query": "key=sk-secret",
            "client.address": "10.0.0.7",
            "user_agent.original": "OpenAI/JS",
            "http.response.status_code": 200,
        },
        scope="fastapi",
    )
    assert dict(private_copy(span).attributes or {}) == {
        "http.request.method": "GET",
        "http.route": "/key/info",
        "http.response.status_code": 200,
    }


def test_health_probes_are_not_traced_and_everything_else_is() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=proxy_sampler({}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("probe-test")
    for path in ("/health/liveliness", "/health/readiness", "/health", "/v1/chat/completions", "/healthy-cats"):
        tracer.start_span("GET", attributes={"url.path": path}).end()
    tracer.start_span("litellm_request").end()
    assert [span.attributes.get("url.path") if span.attributes else None for span in exporter.get_finished_spans()] == [
        "/v1/chat/completions",
        "/healthy-cats",
        None,
    ]


def sampled_roots(sampler_env: dict[str, str], count: int) -> int:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=proxy_sampler(sampler_env))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("sampler-test")
    for _ in range(count):
        tracer.start_span("POST", attributes={"url.path": "/v1/chat/completions"}).end()
        tracer.start_span("GET", attributes={"url.path": "/health/readiness"}).end()
    return len(exporter.get_finished_spans())


def test_otel_traces_sampler_chooses_how_many_requests_are_traced_and_probes_never_are() -> None:
    assert sampled_roots({}, 200) == 200
    assert sampled_roots({"OTEL_TRACES_SAMPLER": "always_off"}, 200) == 0
    assert sampled_roots({"OTEL_TRACES_SAMPLER": "parentbased_always_off"}, 200) == 0
    assert sampled_roots({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0"}, 200) == 0
    # Trace ids are random: a quarter of 2000 lands well inside 350..650.
    ratio = {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"}
    quarter = sampled_roots(ratio, 2000)
    assert 350 <= quarter <= 650
    assert sampled_roots({"OTEL_TRACES_SAMPLER": " TraceIdRatio "}, 50) == 50  # no ratio given: 1.0, as the spec says


def test_a_child_follows_its_parents_decision_with_parentbased_samplers() -> None:
    from opentelemetry.trace import NonRecordingSpan, set_span_in_context

    sampled = SpanContext(trace_id=1, span_id=2, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    dropped = SpanContext(trace_id=1, span_id=2, is_remote=True, trace_flags=TraceFlags(TraceFlags.DEFAULT))
    sampler = proxy_sampler({"OTEL_TRACES_SAMPLER": "parentbased_always_off"})
    decision = sampler.should_sample(set_span_in_context(NonRecordingSpan(sampled)), 1, "POST").decision
    assert decision.is_sampled()
    sampler = proxy_sampler({})
    decision = sampler.should_sample(set_span_in_context(NonRecordingSpan(dropped)), 1, "POST").decision
    assert not decision.is_sampled()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OTEL_TRACES_SAMPLER": "jaeger_remote"}, "OTEL_TRACES_SAMPLER=jaeger_remote"),
        ({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"}, "OTEL_TRACES_SAMPLER_ARG=1.5"),
        ({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "half"}, "OTEL_TRACES_SAMPLER_ARG=half"),
    ],
)
def test_a_sampler_we_cannot_honour_stops_the_start_with_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        sampler_from_env(env)
