"""Runtime failures reach litellm callers with the runtime's status and message."""

import socket
from typing import Any

import httpx
import litellm
import pytest

from agentllm_bridge.errors import RUNTIME_UNAVAILABLE, from_runtime_response, from_stream_event
from agentllm_bridge.handler import AgnoHandler
from agentllm_bridge.runtime_client import RuntimeClient, RuntimeSettings, SettingsError
from tests.conftest import install_handler
from tests.fake_runtime import FakeRuntime, Script

MESSAGES = [{"role": "user", "content": "hi"}]


def runtime_error(status: int, message: str) -> Script:
    return Script(kind="error", status=status, error={"message": message, "type": "x", "code": None, "param": None})


def status_of(exc: BaseException) -> Any:
    return getattr(exc, "status_code", None)


@pytest.mark.usefixtures("handler")
@pytest.mark.parametrize("status", [400, 404, 409, 413, 429, 502, 503, 504])
def test_runtime_status_is_kept(runtime: FakeRuntime, status: int) -> None:
    runtime.reset(runtime_error(status, f"runtime says {status}"))
    with pytest.raises(Exception) as caught:
        litellm.completion(model="agno/demo-agent", messages=MESSAGES)
    assert status_of(caught.value) == status
    assert f"runtime says {status}" in str(caught.value)
    assert len(runtime.requests) == 1  # litellm.completion did not retry


@pytest.mark.usefixtures("handler")
@pytest.mark.parametrize("status", [404, 409, 429])
async def test_runtime_status_is_kept_async_stream(runtime: FakeRuntime, status: int) -> None:
    runtime.reset(runtime_error(status, "nope"))
    with pytest.raises(Exception) as caught:
        stream = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=True)
        async for _ in stream:
            pass
    assert status_of(caught.value) == status


@pytest.mark.usefixtures("handler")
async def test_mid_stream_error_event_raises_its_code(runtime: FakeRuntime) -> None:
    runtime.reset(Script(kind="stream_error", error={"message": "Gemini overloaded", "type": "upstream", "code": 503}))
    stream = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=True)
    received: list[str] = []
    with pytest.raises(Exception) as caught:
        async for c in stream:
            if c.choices and c.choices[0].delta.content:
                received.append(c.choices[0].delta.content)
    assert received  # the deltas before the failure were delivered
    assert status_of(caught.value) == 503
    assert "Gemini overloaded" in str(caught.value)


@pytest.mark.usefixtures("handler")
def test_mid_stream_error_sync(runtime: FakeRuntime) -> None:
    runtime.reset(Script(kind="stream_error", error={"message": "tool crashed", "code": "internal_error"}))
    with pytest.raises(Exception) as caught:
        for _ in litellm.completion(model="agno/demo-agent", messages=MESSAGES, stream=True):
            pass
    assert status_of(caught.value) == 502  # non-numeric code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.usefixtures("handler")  # restores the provider map afterwards
async def test_runtime_down_is_503_without_its_address(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    install_handler(f"http://127.0.0.1:{port}")
    with pytest.raises(Exception) as caught:
        await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES)
    assert status_of(caught.value) == 503
    assert RUNTIME_UNAVAILABLE in str(caught.value)
    assert str(port) not in str(caught.value)
    assert "127.0.0.1" not in str(caught.value)
    # The details are for the bridge's log.
    assert any(str(port) in r.getMessage() for r in caplog.records if r.name == "agentllm_bridge")


@pytest.mark.usefixtures("handler")
def test_runtime_down_is_503_sync_stream() -> None:
    install_handler(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(Exception) as caught:
        for _ in litellm.completion(model="agno/demo-agent", messages=MESSAGES, stream=True):
            pass
    assert status_of(caught.value) == 503


@pytest.mark.usefixtures("handler")  # restores the provider map afterwards
def test_runtime_timeout_is_504(runtime: FakeRuntime) -> None:
    runtime.reset(Script(kind="slow", chunk_delay=1.0))
    install_handler(runtime.url, RuntimeClient(timeout=httpx.Timeout(5.0, read=0.2)))
    with pytest.raises(Exception) as caught:
        litellm.completion(model="agno/demo-agent", messages=MESSAGES)
    assert status_of(caught.value) == 504
    assert runtime.url not in str(caught.value)


def test_missing_token_stops_the_handler_at_creation() -> None:
    with pytest.raises(SettingsError, match="AGENTLLM_RUNTIME_TOKEN is not set"):
        RuntimeSettings.from_env({"AGENTLLM_RUNTIME_URL": "http://127.0.0.1:1"})
    with pytest.raises(SettingsError, match="AGENTLLM_RUNTIME_URL must be an http"):
        RuntimeSettings.from_env({"AGENTLLM_RUNTIME_TOKEN": "t", "AGENTLLM_RUNTIME_URL": "localhost:9510"})


def test_settings_are_read_once_at_creation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTLLM_RUNTIME_TOKEN", "first")
    agno = AgnoHandler()
    monkeypatch.delenv("AGENTLLM_RUNTIME_TOKEN")
    assert agno.settings.token == "first"  # noqa: S105  # a fixture value
    with pytest.raises(SettingsError):
        AgnoHandler()


@pytest.mark.usefixtures("handler")
def test_oversized_id_is_400(runtime: FakeRuntime) -> None:
    with pytest.raises(Exception) as caught:
        litellm.completion(model="agno/demo-agent", messages=MESSAGES, metadata={"chat_id": "c" * 257})
    assert status_of(caught.value) == 400
    assert "metadata.chat_id" in str(caught.value)
    assert not runtime.requests


def test_error_body_without_json_keeps_status_and_text() -> None:
    error = from_runtime_response(503, b"Service Unavailable")
    assert (error.status_code, error.message) == (503, "Service Unavailable")


@pytest.mark.usefixtures("handler")
@pytest.mark.parametrize("stream", [False, True])
async def test_the_runtimes_retry_after_reaches_litellm(runtime: FakeRuntime, stream: bool) -> None:
    # LiteLLM copies it into the proxy's response as llm_provider-retry-after (the guard's input).
    script = runtime_error(503, "busy; retry in 1 s")
    script.headers = {"Retry-After": "1"}
    runtime.reset(script)
    with pytest.raises(Exception) as caught:
        reply = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=stream)
        if stream:
            async for _ in reply:
                pass
    assert status_of(caught.value) == 503
    assert getattr(caught.value, "litellm_response_headers", None) == {"retry-after": "1"}


@pytest.mark.parametrize(
    ("header", "kept"),
    [("1", {"retry-after": "1"}), (" 120 ", {"retry-after": "120"}), ("86401", None), ("soon", None), (None, None)],
)
def test_only_a_whole_number_of_seconds_is_passed_on(header: str | None, kept: dict[str, str] | None) -> None:
    error = from_runtime_response(429, b'{"error": {"message": "slow down"}}', header)
    assert getattr(error, "headers", None) == kept


def test_unknown_status_becomes_bad_gateway() -> None:
    assert from_runtime_response(500, b'{"error": {"message": "boom"}}').status_code == 502


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (429, 429),
        ("504", 504),
        ("rate_limited", 502),
        (None, 502),
        (200, 502),
        # The runtime's own codes keep the status they have before the first byte.
        ("database_unavailable", 503),
        ("runtime_draining", 503),
        ("upstream_unavailable", 503),
        ("upstream_timeout", 504),
        ("upstream_rate_limited", 429),
        ("upstream_rejected_request", 400),
        ("upstream_error", 502),
        ("internal_error", 502),
        (True, 502),
    ],
)
def test_stream_event_code(code: Any, status: int) -> None:
    assert from_stream_event({"message": "m", "code": code}).status_code == status
