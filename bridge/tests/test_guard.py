"""The ASGI guard on its own: a stand-in for LiteLLM's app behind it, ASGI messages in and out."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest
from litellm.exceptions import BadRequestError, ServiceUnavailableError

from agentllm_bridge.guard import AuthState, ProxyGuard
from agentllm_bridge.key_routes import KeyRoutes
from agentllm_bridge.log_filters import AgentClientFaults
from agentllm_bridge.proxy_settings import ProxySettings

MASTER = "sk-master"
CHAT = {"model": "agno/demo-agent", "messages": [{"role": "user", "content": "hi"}]}
Message = MutableMapping[str, Any]


class Readiness:
    def __init__(self, ready: bool = True) -> None:
        self.ready = ready
        self.asked = 0

    async def is_ready(self) -> bool:
        self.asked += 1
        return self.ready


class Inner:
    """Stands in for LiteLLM: answers 200 (or `status`) after `hold` is set, records what it saw."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.hold = asyncio.Event()
        self.hold.set()
        self.bodies: list[bytes] = []
        self.received = asyncio.Event()
        self.cancelled = asyncio.Event()

    async def __call__(self, scope: Any, receive: Callable[[], Awaitable[Message]], send: Any) -> None:
        message = await receive()
        self.bodies.append(message["body"])
        self.received.set()
        try:
            await self.hold.wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})


def guard(inner: Inner, readiness: Readiness | None = None, **limits: Any) -> ProxyGuard:
    settings = ProxySettings(**limits)
    return ProxyGuard(inner, settings, readiness or Readiness(), lambda: AuthState(MASTER, has_database=False))  # type: ignore[arg-type]


def scope(path: str = "/v1/chat/completions", headers: dict[str, str] | None = None, method: str = "POST") -> Message:
    all_headers = {"authorization": f"Bearer {MASTER}", "content-type": "application/json", **(headers or {})}
    return {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in all_headers.items() if v is not None],
    }


async def call(
    app: ProxyGuard,
    scope: Message,
    chunks: list[bytes],
    *,
    then_disconnect: asyncio.Event | None = None,
    body_complete: bool = True,
) -> list[Message]:
    """Sends the body in `chunks` (the last one ends it unless not `body_complete`); afterwards
    receive() waits for `then_disconnect` (never, if None)."""
    last = len(chunks) - 1
    queue = [
        {"type": "http.request", "body": c, "more_body": i < last or not body_complete} for i, c in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        await (then_disconnect or asyncio.Event()).wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def status_and_error(sent: list[Message]) -> tuple[int, dict[str, Any]]:
    body = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body") or b"{}")
    return sent[0]["status"], body.get("error", {})


def header(sent: list[Message], name: bytes) -> bytes | None:
    return dict(sent[0].get("headers", [])).get(name)


async def test_valid_request_reaches_the_app_with_its_body() -> None:
    inner = Inner()
    sent = await call(guard(inner), scope(), [json.dumps(CHAT).encode()])
    assert sent[0]["status"] == 200
    assert json.loads(inner.bodies[0]) == CHAT


async def test_body_in_pieces_is_reassembled() -> None:
    inner = Inner()
    raw = json.dumps(CHAT).encode()
    await call(guard(inner), scope(), [raw[:10], raw[10:20], raw[20:]])
    assert inner.bodies == [raw]


@pytest.mark.parametrize(
    ("headers", "code", "message"),
    [
        ({"authorization": ""}, "missing_api_key", "missing API key"),
        ({"authorization": "Basic abc"}, "invalid_api_key", "malformed Authorization header"),
        ({"authorization": "Bearer"}, "invalid_api_key", "malformed Authorization header"),
        ({"authorization": "Bearer a b"}, "invalid_api_key", "malformed Authorization header"),
        ({"authorization": "Bearer sk-wrong"}, "invalid_api_key", "invalid API key"),
    ],
)
async def test_bad_keys_are_401(headers: dict[str, str], code: str, message: str) -> None:
    inner = Inner()
    request = scope(headers=headers)
    if headers["authorization"] == "":
        request["headers"] = [h for h in request["headers"] if h[0] != b"authorization"]
    status, error = status_and_error(await call(guard(inner), request, [json.dumps(CHAT).encode()]))
    assert (status, error["code"], error["type"]) == (401, code, "authentication_error")
    assert message in error["message"]
    assert "sk-" not in error["message"]
    assert not inner.bodies


async def test_public_routes_need_no_key() -> None:
    inner = Inner()
    request = scope("/health/liveliness", method="GET")
    request["headers"] = []
    assert (await call(guard(inner), request, [b""]))[0]["status"] == 200


async def test_body_at_the_limit_passes_and_one_byte_more_is_413() -> None:
    body = json.dumps({**CHAT, "pad": ""}).encode()
    limit = len(body)
    inner = Inner()
    assert (await call(guard(inner, max_body_bytes=limit), scope(), [body]))[0]["status"] == 200
    bigger = json.dumps({**CHAT, "pad": "x"}).encode()
    sent = await call(guard(inner, max_body_bytes=limit), scope(), [bigger[:5], bigger[5:]])
    status, error = status_and_error(sent)
    assert (status, error["code"]) == (413, "request_too_large")
    assert f"larger than {limit} bytes" in error["message"]
    assert header(sent, b"connection") == b"close"


async def test_declared_length_over_the_limit_is_413_before_reading() -> None:
    sent = await call(guard(Inner(), max_body_bytes=10), scope(headers={"content-length": "11"}), [])
    assert sent[0]["status"] == 413


async def test_slow_body_is_408() -> None:
    # The first piece arrives, the rest never does.
    sent = await call(guard(Inner(), body_timeout_s=0.2), scope(), [b'{"model": '], body_complete=False)
    status, error = status_and_error(sent)
    assert (status, error["code"]) == (408, "request_timeout")
    assert "not received within 0.2 s" in error["message"]


async def test_client_gone_while_sending_gets_no_answer() -> None:
    app = guard(Inner())
    sent: list[Message] = []
    messages: list[Message] = [{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope(), receive, send)
    assert sent == []


async def test_disconnect_before_the_answer_cancels_the_app() -> None:
    inner = Inner()
    inner.hold.clear()  # a non-stream run still working
    leave = asyncio.Event()
    task = asyncio.create_task(call(guard(inner), scope(), [json.dumps(CHAT).encode()], then_disconnect=leave))
    await inner.received.wait()
    leave.set()
    sent = await task
    assert inner.cancelled.is_set()
    assert sent == []


async def test_disconnect_after_the_answer_started_is_left_to_the_app() -> None:
    started = asyncio.Event()
    finish = asyncio.Event()
    cancelled = False

    async def streaming(scope: Any, receive: Any, send: Any) -> None:
        nonlocal cancelled
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        started.set()
        try:
            await finish.wait()
        except asyncio.CancelledError:
            cancelled = True
            raise
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    leave = asyncio.Event()
    app = ProxyGuard(streaming, ProxySettings(), Readiness(), lambda: AuthState(MASTER, has_database=False))  # type: ignore[arg-type]
    task = asyncio.create_task(call(app, scope(), [json.dumps(CHAT).encode()], then_disconnect=leave))
    await started.wait()
    leave.set()
    await asyncio.sleep(0.05)
    assert not cancelled
    finish.set()
    await task


async def test_agent_503_gets_retry_after() -> None:
    sent = await call(guard(Inner(status=503), retry_after_s=7), scope(), [json.dumps(CHAT).encode()])
    assert header(sent, b"retry-after") == b"7"
    gemini = {**CHAT, "model": "gemini-2.5-flash"}
    sent = await call(guard(Inner(status=503)), scope(), [json.dumps(gemini).encode()])
    assert header(sent, b"retry-after") is None


class WithHeaders(Inner):
    """LiteLLM answering with the headers it made from the bridge's exception."""

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        super().__init__(status)
        self.headers = headers

    async def __call__(self, scope: Any, receive: Callable[[], Awaitable[Message]], send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        # The runtime's own wait, which LiteLLM passes on only under its provider prefix.
        (503, [(b"llm_provider-retry-after", b"1")], b"1"),
        (429, [(b"llm_provider-retry-after", b"7")], b"7"),
        # A Retry-After already there is kept.
        (503, [(b"retry-after", b"2"), (b"llm_provider-retry-after", b"1")], b"2"),
        # No usable runtime wait: a 503 gets the setting, a 429 nothing made up.
        (503, [(b"llm_provider-retry-after", b"Wed, 21 Oct 2015 07:28:00 GMT")], b"9"),
        (503, [(b"llm_provider-retry-after", b"86401")], b"9"),
        (429, [], None),
    ],
)
async def test_an_agent_calls_retry_after_is_the_runtimes_own(
    status: int, headers: list[tuple[bytes, bytes]], expected: bytes | None
) -> None:
    sent = await call(guard(WithHeaders(status, headers), retry_after_s=9), scope(), [json.dumps(CHAT).encode()])
    assert sent[0]["status"] == status
    assert header(sent, b"retry-after") == expected


async def test_readiness_is_503_while_the_runtime_is_not_ready() -> None:
    readiness = Readiness(ready=False)
    inner = Inner()
    sent = await call(guard(inner, readiness), scope("/health/readiness", method="GET"), [b""])
    assert sent[0]["status"] == 503
    assert json.loads(sent[1]["body"])["agents"] == "unavailable"
    assert not inner.bodies
    readiness.ready = True
    assert (await call(guard(inner, readiness), scope("/health/readiness", method="GET"), [b""]))[0]["status"] == 200


async def test_liveness_never_asks_the_runtime() -> None:
    readiness = Readiness(ready=False)
    sent = await call(guard(Inner(), readiness), scope("/health/liveliness", method="GET"), [b""])
    assert sent[0]["status"] == 200
    assert readiness.asked == 0


def test_agent_client_faults_lose_their_traceback() -> None:
    def record(exc: BaseException) -> logging.LogRecord:
        return logging.LogRecord(
            "LiteLLM Proxy", logging.ERROR, __file__, 1, "failed: %s", (exc,), (type(exc), exc, None)
        )

    agent_400 = BadRequestError("AgnoException - messages.0.role: bad", model="demo-agent", llm_provider="agno")
    kept = record(agent_400)
    AgentClientFaults().filter(kept)
    assert (kept.levelno, kept.exc_info) == (logging.WARNING, None)

    gemini_400 = BadRequestError("GeminiException - bad", model="gemini-2.5-flash", llm_provider="gemini")
    agent_503 = ServiceUnavailableError("AgnoException - down", model="demo-agent", llm_provider="agno")
    for exc in (gemini_400, agent_503):
        untouched = record(exc)
        AgentClientFaults().filter(untouched)
        assert untouched.levelno == logging.ERROR
        assert untouched.exc_info is not None


def form_body(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "b0undary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


async def test_agent_model_in_a_form_is_chat_only() -> None:
    body, content_type = form_body({"model": "agno/demo-agent", "prompt": "x"})
    sent = await call(guard(Inner()), scope("/v1/audio/transcriptions", {"content-type": content_type}), [body])
    status, error = status_and_error(sent)
    assert (status, error["code"], error["param"]) == (400, "model_not_supported", "model")
    body, content_type = form_body({"model": "whisper-1"})
    sent = await call(guard(Inner()), scope("/v1/audio/transcriptions", {"content-type": content_type}), [body])
    assert sent[0]["status"] == 200


async def test_unreadable_form_is_400() -> None:
    request = scope("/v1/audio/transcriptions", {"content-type": "multipart/form-data"})  # no boundary
    status, error = status_and_error(await call(guard(Inner()), request, [b"garbage"]))
    assert (status, error["code"]) == (400, "invalid_body")
    assert "not a valid form" in error["message"]


async def test_management_routes_need_a_key_too() -> None:
    schema = {
        "paths": {
            "/model/info": {"get": {"security": [{"APIKeyHeader": []}]}},
            "/key/{key_id}/regenerate": {"post": {"security": [{"APIKeyHeader": []}]}},
            "/": {"get": {"security": [{"APIKeyHeader": []}]}},  # public in LiteLLM all the same
            "/sso/key/generate": {"get": {}},
        }
    }
    routes = KeyRoutes(lambda: schema)
    app = ProxyGuard(Inner(), ProxySettings(), Readiness(), lambda: AuthState(MASTER, False), routes.needs_key)  # type: ignore[arg-type]

    async def status(path: str, authorization: str | None) -> int:
        request = scope(path, method="GET")
        request["headers"] = [(b"authorization", authorization.encode())] if authorization else []
        return int((await call(app, request, [b""]))[0]["status"])

    assert await status("/model/info", None) == 401
    assert await status("/model/info", "Bearer sk-wrong") == 401
    assert await status("/model/info", f"Bearer {MASTER}") == 200
    assert await status("/key/abc/regenerate", None) == 401
    assert await status("/key/abc/def/regenerate", None) == 200  # not that route: LiteLLM decides
    assert await status("/", None) == 200
    assert await status("/sso/key/generate", None) == 200
