"""All four handler entry points, reached the way users reach them: through litellm."""

import time
from typing import Any

import litellm
import pytest
from litellm.types.utils import ModelResponse

from agentllm_bridge.handler import AgnoHandler
from tests.conftest import RUNTIME_TOKEN
from tests.fake_runtime import FakeRuntime, Recorded, Script

pytestmark = pytest.mark.usefixtures("handler")

TEXT = "The quick brown fox jumps over the lazy dog"
MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "Say something"}]},
]
PARAMS: dict[str, Any] = {"temperature": 0.25, "max_tokens": 64, "top_p": 0.5, "stop": ["END"]}
IDENTITY: dict[str, Any] = {"user": "alice", "metadata": {"chat_id": "chat-42"}}


def assert_forwarded(seen: Recorded, *, stream: bool) -> None:
    assert seen.path == "/v1/chat/completions"
    assert seen.body["model"] == "demo-agent"  # agno/ stripped
    assert seen.body["messages"] == MESSAGES  # system message and content parts as given
    assert seen.body["stream"] is stream
    for name, value in PARAMS.items():
        assert seen.body[name] == value
    assert seen.headers["authorization"] == f"Bearer {RUNTIME_TOKEN}"
    assert seen.headers["x-agentllm-user-id"] == "alice"
    assert seen.headers["x-agentllm-session-id"] == "chat-42"
    assert seen.headers["x-request-id"]
    if stream:
        assert seen.body["stream_options"] == {"include_usage": True}
        assert seen.headers["accept"] == "text/event-stream"
    else:
        assert "stream_options" not in seen.body


def assert_response(response: ModelResponse) -> None:
    assert response.choices[0].message.content == TEXT
    assert response.choices[0].finish_reason == "stop"
    usage = response.usage  # type: ignore[attr-defined]  # set dynamically by litellm
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (11, 7, 18)


def test_completion(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT))
    response = litellm.completion(model="agno/demo-agent", messages=MESSAGES, **PARAMS, **IDENTITY)
    assert isinstance(response, ModelResponse)
    assert_response(response)
    assert len(runtime.requests) == 1
    assert_forwarded(runtime.last, stream=False)
    assert runtime.last.headers["accept"] == "application/json"


async def test_acompletion(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT))
    response = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, **PARAMS, **IDENTITY)
    assert isinstance(response, ModelResponse)
    assert_response(response)
    assert_forwarded(runtime.last, stream=False)


def test_streaming(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT))
    stream = litellm.completion(
        model="agno/demo-agent",
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        **PARAMS,
        **IDENTITY,
    )
    chunks = list(stream)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) > 1  # really streamed, one chunk per upstream delta
    assert "".join(texts) == TEXT
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    usage = chunks[-1].usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (11, 7, 18)
    assert_forwarded(runtime.last, stream=True)


async def test_astreaming(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT))
    stream = await litellm.acompletion(
        model="agno/demo-agent",
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        **PARAMS,
        **IDENTITY,
    )
    texts: list[str] = []
    last: Any = None
    async for c in stream:
        if c.choices and c.choices[0].delta.content:
            texts.append(c.choices[0].delta.content)
        last = c
    assert len(texts) > 1
    assert "".join(texts) == TEXT
    assert (last.usage.prompt_tokens, last.usage.total_tokens) == (11, 18)
    assert_forwarded(runtime.last, stream=True)


CACHED_USAGE: dict[str, Any] = {
    "prompt_tokens": 120,
    "completion_tokens": 4,
    "total_tokens": 124,
    "prompt_tokens_details": {"cached_tokens": 96},
    "completion_tokens_details": {"reasoning_tokens": 3},
}


def test_completion_passes_cached_and_reasoning_tokens_on(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT, usage=CACHED_USAGE))
    response = litellm.completion(model="agno/demo-agent", messages=MESSAGES, **IDENTITY)
    assert response.usage.prompt_tokens_details.cached_tokens == 96
    assert response.usage.completion_tokens_details.reasoning_tokens == 3


async def test_astreaming_passes_cached_and_reasoning_tokens_on(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT, usage=CACHED_USAGE))
    stream = await litellm.acompletion(
        model="agno/demo-agent", messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **IDENTITY
    )
    last: Any = None
    async for c in stream:
        last = c
    assert (last.usage.prompt_tokens, last.usage.prompt_tokens_details.cached_tokens) == (120, 96)
    assert last.usage.completion_tokens_details.reasoning_tokens == 3


def test_a_malformed_cached_count_is_a_bad_gateway(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT, usage={**CACHED_USAGE, "prompt_tokens_details": {"cached_tokens": "many"}}))
    with pytest.raises(litellm.exceptions.BadGatewayError) as caught:
        litellm.completion(model="agno/demo-agent", messages=MESSAGES, **IDENTITY)
    assert "bad usage" in str(caught.value)


async def test_astreaming_yields_each_delta_as_it_arrives(runtime: FakeRuntime) -> None:
    # 0.3 s between upstream deltas: the first chunk must arrive long before the stream ends.
    runtime.reset(Script(text="one two three", chunk_delay=0.3))
    stream = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=True)
    started = time.monotonic()
    first_at = None
    async for c in stream:
        if first_at is None and c.choices and c.choices[0].delta.content:
            first_at = time.monotonic() - started
    total = time.monotonic() - started
    assert first_at is not None
    assert first_at < 0.6 < total


def test_max_completion_tokens_becomes_max_tokens(runtime: FakeRuntime) -> None:
    litellm.completion(model="agno/demo-agent", messages=MESSAGES, max_completion_tokens=9)
    assert runtime.last.body["max_tokens"] == 9
    assert "temperature" not in runtime.last.body  # only what was given is forwarded


def test_request_id_is_litellm_call_id(runtime: FakeRuntime) -> None:
    litellm.completion(model="agno/demo-agent", messages=MESSAGES, litellm_call_id="call-123")
    assert runtime.last.headers["x-request-id"] == "call-123"


def test_identity_headers_omitted_when_unknown(runtime: FakeRuntime) -> None:
    litellm.completion(model="agno/demo-agent", messages=MESSAGES)
    assert "x-agentllm-user-id" not in runtime.last.headers
    assert "x-agentllm-session-id" not in runtime.last.headers
    assert runtime.last.headers["x-request-id"]


def test_sync_stream_close_reaches_runtime(runtime: FakeRuntime) -> None:
    runtime.reset(Script(kind="hang"))
    stream = litellm.completion(model="agno/demo-agent", messages=MESSAGES, stream=True)
    for c in stream:
        if c.choices and c.choices[0].delta.content:
            break
    stream.close()
    assert runtime.stream_closed_by_client.wait(5)


async def test_async_stream_close_reaches_runtime(runtime: FakeRuntime) -> None:
    runtime.reset(Script(kind="hang"))
    stream = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=True)
    async for c in stream:
        if c.choices and c.choices[0].delta.content:
            break
    await stream.aclose()
    assert runtime.stream_closed_by_client.wait(5)


async def test_connections_are_reused(runtime: FakeRuntime, handler: AgnoHandler) -> None:
    for _ in range(3):
        await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES)
    assert len(runtime.requests) == 3
    assert len(handler._client._async) == 1  # one pooled client for this event loop
