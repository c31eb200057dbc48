"""Runtime failures reach litellm callers with the runtime's status and message."""

import socket
from typing import Any

import httpx
import litellm
import pytest

from agentllm_bridge.errors import from_runtime_response, from_stream_event
from agentllm_bridge.handler import AgnoHandler
from agentllm_bridge.runtime_client import RuntimeClient
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


@pytest.mark.usefixtures("handler")
async def test_runtime_down_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AGENTLLM_RUNTIME_URL", url)
    monkeypatch.setenv("AGENTLLM_RUNTIME_TOKEN", "t")
    with pytest.raises(Exception) as caught:
        await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES)
    assert status_of(caught.value) == 503
    assert f"agent runtime unreachable at {url}" in str(caught.value)


@pytest.mark.usefixtures("handler")
def test_runtime_down_is_503_sync_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTLLM_RUNTIME_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AGENTLLM_RUNTIME_TOKEN", "t")
    with pytest.raises(Exception) as caught:
        for _ in litellm.completion(model="agno/demo-agent", messages=MESSAGES, stream=True):
            pass
    assert status_of(caught.value) == 503


@pytest.mark.usefixtures("handler")  # restores the provider map afterwards
def test_runtime_timeout_is_504(runtime: FakeRuntime) -> None:
    runtime.reset(Script(kind="slow", chunk_delay=1.0))
    quick = AgnoHandler(RuntimeClient(timeout=httpx.Timeout(5.0, read=0.2)))
    litellm.custom_provider_map = [{"provider": "agno", "custom_handler": quick}]
    litellm.utils.custom_llm_setup()
    with pytest.raises(Exception) as caught:
        litellm.completion(model="agno/demo-agent", messages=MESSAGES)
    assert status_of(caught.value) == 504


@pytest.mark.usefixtures("handler")
def test_missing_token_names_the_variable(runtime: FakeRuntime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTLLM_RUNTIME_TOKEN", "secret-never-logged")
    monkeypatch.delenv("AGENTLLM_RUNTIME_TOKEN")
    with pytest.raises(Exception) as caught:
        litellm.completion(model="agno/demo-agent", messages=MESSAGES)
    assert status_of(caught.value) == 500
    assert "AGENTLLM_RUNTIME_TOKEN" in str(caught.value)
    assert not runtime.requests


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


def test_unknown_status_becomes_bad_gateway() -> None:
    assert from_runtime_response(500, b'{"error": {"message": "boom"}}').status_code == 502


@pytest.mark.parametrize(("code", "status"), [(429, 429), ("504", 504), ("rate_limited", 502), (None, 502), (200, 502)])
def test_stream_event_code(code: Any, status: int) -> None:
    assert from_stream_event({"message": "m", "code": code}).status_code == status
