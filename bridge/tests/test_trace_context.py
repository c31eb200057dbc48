"""The bridge hands the runtime a W3C `traceparent`, so the runtime's spans join the proxy's trace."""

from typing import Any

import litellm
import pytest
from opentelemetry.sdk.trace import TracerProvider

from agentllm_bridge.identity import CallContext
from agentllm_bridge.trace_context import trace_headers
from tests.fake_runtime import FakeRuntime

# A provider of its own, not the global one: nothing here is exported or changes other tests.
tracer = TracerProvider().get_tracer("bridge-tests")

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_PARENT = f"00-{CLIENT_TRACE}-00f067aa0ba902b7-01"
MESSAGES: list[dict[str, Any]] = [{"role": "user", "content": "Say something"}]


def call_with(metadata: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> CallContext:
    params: dict[str, Any] = {"metadata": {**(metadata or {}), "headers": headers or {}}}
    return CallContext(litellm_params=params, optional_params={})


def ids(traceparent: str) -> tuple[str, str]:
    version, trace_id, span_id, flags = traceparent.split("-")
    assert version == "00"
    assert int(flags, 16) & 1  # sampled (the SDK may add W3C level 2's random-id flag)
    return trace_id, span_id


def test_the_proxys_span_is_the_parent() -> None:
    span = tracer.start_span("litellm_request")
    # The proxy's span wins over a client header: it is itself that header's child.
    headers = trace_headers(call_with({"litellm_parent_otel_span": span}, {"traceparent": CLIENT_PARENT}))
    context = span.get_span_context()
    assert ids(headers["traceparent"]) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")


def test_the_clients_traceparent_passes_on_without_a_proxy_span() -> None:
    headers = trace_headers(call_with(headers={"traceparent": CLIENT_PARENT, "tracestate": "vendor=1"}))
    assert headers == {"traceparent": CLIENT_PARENT, "tracestate": "vendor=1"}


@pytest.mark.parametrize(
    "bad",
    ["", "garbage", f"00-{'0' * 32}-00f067aa0ba902b7-01", f"00-{CLIENT_TRACE}-00f067aa0ba902b7-01{'a' * 9000}"],
)
def test_a_malformed_client_header_is_dropped(bad: str) -> None:
    assert trace_headers(call_with(headers={"traceparent": bad})) == {}


def test_no_trace_anywhere_sends_no_header() -> None:
    assert trace_headers(call_with()) == {}
    assert trace_headers(CallContext(litellm_params={}, optional_params={})) == {}


def test_a_non_span_in_metadata_is_ignored() -> None:
    assert trace_headers(call_with({"litellm_parent_otel_span": "placeholder"})) == {}


@pytest.mark.usefixtures("handler")
@pytest.mark.parametrize("stream", [False, True])
async def test_the_runtime_request_carries_the_active_span(runtime: FakeRuntime, stream: bool) -> None:
    with tracer.start_as_current_span("caller") as span:
        response = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=stream)
        if stream:
            async for _ in response:
                pass
    context = span.get_span_context()
    (seen,) = runtime.requests
    assert ids(seen.headers["traceparent"]) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    # Ids only: the request's other headers are as before.
    assert seen.headers["authorization"].startswith("Bearer ")


@pytest.mark.usefixtures("handler")
async def test_without_a_trace_the_runtime_gets_no_traceparent(runtime: FakeRuntime) -> None:
    await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES)
    (seen,) = runtime.requests
    assert "traceparent" not in seen.headers
