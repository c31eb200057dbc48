"""HTTP to the runtime: one POST per call, JSON back or an SSE stream, shared secret attached.

Clients are created on first use and reused (keep-alive to a loopback runtime saves a TCP
handshake per call). The async client is kept per event loop because httpx connections are
bound to the loop that opened them (tests run several loops; the proxy runs one).
"""

import asyncio
import json
import logging
import os
import threading
import weakref
from collections.abc import AsyncGenerator, Generator, Mapping
from dataclasses import dataclass, field

import httpx

from agentllm_bridge.errors import from_runtime_response, from_transport, malformed_reply
from agentllm_bridge.sse import aiter_chunks, iter_chunks
from agentllm_bridge.wire import ChatCompletion, ChatCompletionChunk, ChatRequest

logger = logging.getLogger("agentllm_bridge")

DEFAULT_RUNTIME_URL = "http://127.0.0.1:9510"
URL_ENV = "AGENTLLM_RUNTIME_URL"
TOKEN_ENV = "AGENTLLM_RUNTIME_TOKEN"  # noqa: S105  # the variable name, not its value

# Connecting to a loopback service is instant or it is down: fail fast. Reading is not: an agent
# may run tools for minutes between two stream events (or before a non-stream answer).
TIMEOUT = httpx.Timeout(connect=5.0, read=900.0, write=30.0, pool=30.0)
# Keep as many idle connections as may be open: with fewer, every stream beyond the keep-alive
# count pays a new TCP connection (and the runtime a new socket) per request under load
# (`just bench` at 100 streams). Idle loopback connections cost nothing worth saving.
LIMITS = httpx.Limits(max_connections=500, max_keepalive_connections=500)


class SettingsError(ValueError):
    """A setting the bridge cannot start without; the message names the variable."""


@dataclass(frozen=True)
class RuntimeSettings:
    base_url: str
    token: str = field(repr=False)  # never in reprs, logs or error messages

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "RuntimeSettings":
        # Read once, when the handler is created at the proxy's start: a missing secret stops the
        # start instead of failing every request.
        token = env.get(TOKEN_ENV, "").strip()
        if not token:
            raise SettingsError(f"{TOKEN_ENV} is not set: the agent bridge needs the runtime's shared secret")
        base_url = env.get(URL_ENV, "").strip() or DEFAULT_RUNTIME_URL
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(f"{URL_ENV} must be an http:// or https:// URL")
        return cls(base_url=base_url.rstrip("/"), token=token)

    @property
    def completions_url(self) -> str:
        return f"{self.base_url}/v1/chat/completions"

    @property
    def readiness_url(self) -> str:
        return f"{self.base_url}/readyz"


@dataclass(frozen=True)
class RuntimeCall:
    """Everything one request to the runtime needs."""

    settings: RuntimeSettings
    body: ChatRequest
    headers: dict[str, str]
    request_id: str


class RuntimeClient:
    def __init__(self, timeout: httpx.Timeout = TIMEOUT, limits: httpx.Limits = LIMITS) -> None:
        self._timeout = timeout
        self._limits = limits
        self._lock = threading.Lock()
        self._sync: httpx.Client | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def _sync_client(self) -> httpx.Client:
        with self._lock:
            if self._sync is None:
                self._sync = httpx.Client(timeout=self._timeout, limits=self._limits)
            return self._sync

    def _async_client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._async.get(loop)
            if client is None:
                client = httpx.AsyncClient(timeout=self._timeout, limits=self._limits)
                self._async[loop] = client
            return client

    def complete(self, call: RuntimeCall) -> ChatCompletion:
        _log_start(call)
        try:
            response = self._sync_client().post(call.settings.completions_url, json=call.body, headers=call.headers)
        except httpx.TransportError as exc:
            raise _transport_failure(call, exc) from exc
        return _completion(call, response.status_code, response.content)

    async def acomplete(self, call: RuntimeCall) -> ChatCompletion:
        _log_start(call)
        try:
            response = await self._async_client().post(
                call.settings.completions_url, json=call.body, headers=call.headers
            )
        except httpx.TransportError as exc:
            raise _transport_failure(call, exc) from exc
        return _completion(call, response.status_code, response.content)

    def stream(self, call: RuntimeCall) -> Generator[ChatCompletionChunk, None, None]:
        _log_start(call)
        try:
            # The `with` closes the upstream response when the consumer stops early: closing this
            # generator raises GeneratorExit at `yield`, the runtime sees the socket close and aborts.
            with self._sync_client().stream(
                "POST", call.settings.completions_url, json=call.body, headers=call.headers
            ) as response:
                if response.status_code >= 300:
                    raise _status_failure(call, response.status_code, response.read())
                yield from iter_chunks(response.iter_lines())
        except httpx.TransportError as exc:
            raise _transport_failure(call, exc) from exc
        finally:
            logger.debug("runtime stream closed request_id=%s", call.request_id)

    async def astream(self, call: RuntimeCall) -> AsyncGenerator[ChatCompletionChunk, None]:
        _log_start(call)
        try:
            # As in `stream`: LiteLLM closes this generator when its client disconnects; leaving the
            # `async with` closes the upstream response so the runtime aborts the agent run.
            async with self._async_client().stream(
                "POST", call.settings.completions_url, json=call.body, headers=call.headers
            ) as response:
                if response.status_code >= 300:
                    raise _status_failure(call, response.status_code, await response.aread())
                async for chunk in aiter_chunks(response.aiter_lines()):
                    yield chunk
        except httpx.TransportError as exc:
            raise _transport_failure(call, exc) from exc
        finally:
            logger.debug("runtime stream closed request_id=%s", call.request_id)


def _log_start(call: RuntimeCall) -> None:
    logger.debug(
        "runtime call request_id=%s model=%s stream=%s url=%s",
        call.request_id,
        call.body["model"],
        call.body["stream"],
        call.settings.completions_url,
    )


def _completion(call: RuntimeCall, status: int, content: bytes) -> ChatCompletion:
    if status >= 300:
        raise _status_failure(call, status, content)
    try:
        payload = json.loads(content)
    except ValueError as exc:
        raise malformed_reply("completion is not JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("choices"), list):
        raise malformed_reply("completion has no choices")
    completion: ChatCompletion = payload  # type: ignore[assignment]  # shape checked above
    return completion


def _status_failure(call: RuntimeCall, status: int, content: bytes) -> Exception:
    error = from_runtime_response(status, content)
    logger.warning("runtime answered %s request_id=%s: %s", status, call.request_id, error.message)
    return error


def _transport_failure(call: RuntimeCall, exc: httpx.TransportError) -> Exception:
    # The details (address, httpx's text) go to this log only; the client gets a plain message.
    error = from_transport(exc)
    logger.warning(
        "runtime transport failure request_id=%s url=%s: %s: %s",
        call.request_id,
        call.settings.base_url,
        type(exc).__name__,
        exc,
    )
    return error
