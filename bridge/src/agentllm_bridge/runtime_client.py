"""HTTP to the runtime: one POST per call, JSON back or an SSE stream, shared secret attached.

With several runtimes (`AGENTLLM_RUNTIME_URL` a comma-separated list) each call goes to the next
one in turn, and moves on to another only when the first certainly did not start the run
(replicas.py); never once a response has begun.

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

from agentllm_bridge.errors import error_code, from_runtime_response, from_transport, malformed_reply
from agentllm_bridge.replicas import MAX_RUNTIME_URLS, ReplicaPool, broken, refused, unreached
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
    base_url: str  # the first runtime; the only one unless `base_urls` lists more
    token: str = field(repr=False)  # never in reprs, logs or error messages
    base_urls: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "RuntimeSettings":
        # Read once, when the handler is created at the proxy's start: a missing secret stops the
        # start instead of failing every request.
        token = env.get(TOKEN_ENV, "").strip()
        if not token:
            raise SettingsError(f"{TOKEN_ENV} is not set: the agent bridge needs the runtime's shared secret")
        urls = parse_runtime_urls(env.get(URL_ENV, "").strip() or DEFAULT_RUNTIME_URL)
        return cls(base_url=urls[0], token=token, base_urls=urls)

    @property
    def urls(self) -> tuple[str, ...]:
        return self.base_urls or (self.base_url,)

    @property
    def completions_url(self) -> str:
        return completions_url(self.base_url)

    @property
    def readiness_urls(self) -> tuple[str, ...]:
        return tuple(f"{url}/readyz" for url in self.urls)


def parse_runtime_urls(raw: str) -> tuple[str, ...]:
    """One base URL or a comma-separated list; each http(s), none twice, at most MAX_RUNTIME_URLS."""
    parts = [part.strip().rstrip("/") for part in raw.split(",")]
    if len(parts) > MAX_RUNTIME_URLS:
        raise SettingsError(f"{URL_ENV} lists {len(parts)} URLs; at most {MAX_RUNTIME_URLS} are allowed")
    for index, part in enumerate(parts, start=1):
        try:
            url = httpx.URL(part)
        except httpx.InvalidURL:
            url = None
        # URLs are logged: credentials in one would leak, and the runtime takes a bearer token.
        if url is None or url.scheme not in ("http", "https") or not url.host or url.userinfo:
            which = f" (entry {index})" if len(parts) > 1 else ""
            raise SettingsError(f"{URL_ENV} must be an http:// or https:// URL with a host and no credentials{which}")
    if len(set(parts)) != len(parts):
        raise SettingsError(f"{URL_ENV} lists the same URL twice")
    return tuple(parts)


def completions_url(base_url: str) -> str:
    return f"{base_url}/v1/chat/completions"


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
        self._pools: dict[tuple[str, ...], ReplicaPool] = {}
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

    def _pool(self, settings: RuntimeSettings) -> ReplicaPool:
        # One pool per list of runtimes for the life of the client (the proxy has one list).
        with self._lock:
            pool = self._pools.get(settings.urls)
            if pool is None:
                pool = ReplicaPool(settings.urls)
                self._pools[settings.urls] = pool
            return pool

    def complete(self, call: RuntimeCall) -> ChatCompletion:
        _log_start(call)
        pool = self._pool(call.settings)
        urls = pool.order()
        for attempt, url in enumerate(urls, start=1):
            last = attempt == len(urls)
            try:
                response = self._sync_client().post(completions_url(url), json=call.body, headers=call.headers)
            except httpx.TransportError as exc:
                if _try_next(call, pool, url, exc, last=last):
                    continue
                raise _transport_failure(call, url, exc) from exc
            if _refused_here(call, pool, url, response, last=last):
                continue
            _answered(call, pool, url, attempt)
            return _completion(call, response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def acomplete(self, call: RuntimeCall) -> ChatCompletion:
        _log_start(call)
        pool = self._pool(call.settings)
        urls = pool.order()
        for attempt, url in enumerate(urls, start=1):
            last = attempt == len(urls)
            try:
                response = await self._async_client().post(completions_url(url), json=call.body, headers=call.headers)
            except httpx.TransportError as exc:
                if _try_next(call, pool, url, exc, last=last):
                    continue
                raise _transport_failure(call, url, exc) from exc
            if _refused_here(call, pool, url, response, last=last):
                continue
            _answered(call, pool, url, attempt)
            return _completion(call, response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def stream(self, call: RuntimeCall) -> Generator[ChatCompletionChunk, None, None]:
        _log_start(call)
        pool = self._pool(call.settings)
        urls = pool.order()
        try:
            for attempt, url in enumerate(urls, start=1):
                last = attempt == len(urls)
                started = False
                try:
                    # The `with` closes the upstream response when the consumer stops early: closing
                    # this generator raises GeneratorExit at `yield`, the runtime sees the socket
                    # close and aborts.
                    with self._sync_client().stream(
                        "POST", completions_url(url), json=call.body, headers=call.headers
                    ) as response:
                        if response.status_code >= 300:
                            response.read()
                            if _refused_here(call, pool, url, response, last=last):
                                continue
                            raise _status_failure(call, response)
                        started = True  # from here on the run is the runtime's: never retried
                        _answered(call, pool, url, attempt)
                        yield from iter_chunks(response.iter_lines())
                        return
                except httpx.TransportError as exc:
                    if not started and _try_next(call, pool, url, exc, last=last):
                        continue
                    if started and broken(exc):
                        pool.failed(url)
                    raise _transport_failure(call, url, exc) from exc
        finally:
            logger.debug("runtime stream closed request_id=%s", call.request_id)

    async def astream(self, call: RuntimeCall) -> AsyncGenerator[ChatCompletionChunk, None]:
        _log_start(call)
        pool = self._pool(call.settings)
        urls = pool.order()
        try:
            for attempt, url in enumerate(urls, start=1):
                last = attempt == len(urls)
                started = False
                try:
                    # As in `stream`: LiteLLM closes this generator when its client disconnects;
                    # leaving the `async with` closes the upstream response so the runtime aborts.
                    async with self._async_client().stream(
                        "POST", completions_url(url), json=call.body, headers=call.headers
                    ) as response:
                        if response.status_code >= 300:
                            await response.aread()
                            if _refused_here(call, pool, url, response, last=last):
                                continue
                            raise _status_failure(call, response)
                        started = True  # from here on the run is the runtime's: never retried
                        _answered(call, pool, url, attempt)
                        async for chunk in aiter_chunks(response.aiter_lines()):
                            yield chunk
                        return
                except httpx.TransportError as exc:
                    if not started and _try_next(call, pool, url, exc, last=last):
                        continue
                    if started and broken(exc):
                        pool.failed(url)
                    raise _transport_failure(call, url, exc) from exc
        finally:
            logger.debug("runtime stream closed request_id=%s", call.request_id)


def _log_start(call: RuntimeCall) -> None:
    logger.debug(
        "runtime call request_id=%s model=%s stream=%s",
        call.request_id,
        call.body["model"],
        call.body["stream"],
    )


def _try_next(call: RuntimeCall, pool: ReplicaPool, url: str, exc: httpx.TransportError, *, last: bool) -> bool:
    """After a transport failure before any answer: cool the runtime down; go on if that is safe."""
    if broken(exc):
        pool.failed(url)
    if last or not unreached(exc):
        return False
    logger.warning(
        "runtime unreachable, trying another request_id=%s url=%s: %s", call.request_id, url, type(exc).__name__
    )
    return True


def _refused_here(call: RuntimeCall, pool: ReplicaPool, url: str, response: httpx.Response, *, last: bool) -> bool:
    """A 503 refusal that ran nothing: cool the runtime down, and go on unless it was the last."""
    if not refused(response.status_code, response.headers, error_code(response.content)):
        return False
    pool.failed(url)
    if last:
        return False
    logger.warning(
        "runtime refused, trying another request_id=%s url=%s code=%s",
        call.request_id,
        url,
        error_code(response.content),
    )
    return True


def _answered(call: RuntimeCall, pool: ReplicaPool, url: str, attempt: int) -> None:
    pool.answered(url)
    # Which runtime served the request: worth a line per request only when there is a choice (one
    # runtime keeps its one INFO line per request). The URL holds no credentials (checked at start).
    level = logging.INFO if len(pool.urls) > 1 else logging.DEBUG
    logger.log(level, "runtime answered request_id=%s url=%s attempt=%d", call.request_id, url, attempt)


def _completion(call: RuntimeCall, response: httpx.Response) -> ChatCompletion:
    if response.status_code >= 300:
        raise _status_failure(call, response)
    content = response.content
    try:
        payload = json.loads(content)
    except ValueError as exc:
        raise malformed_reply("completion is not JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("choices"), list):
        raise malformed_reply("completion has no choices")
    completion: ChatCompletion = payload  # type: ignore[assignment]  # shape checked above
    return completion


def _status_failure(call: RuntimeCall, response: httpx.Response) -> Exception:
    status = response.status_code
    error = from_runtime_response(status, response.content, response.headers.get("retry-after"))
    logger.warning("runtime answered %s request_id=%s: %s", status, call.request_id, error.message)
    return error


def _transport_failure(call: RuntimeCall, url: str, exc: httpx.TransportError) -> Exception:
    # The details (address, httpx's text) go to this log only; the client gets a plain message.
    error = from_transport(exc)
    logger.warning(
        "runtime transport failure request_id=%s url=%s: %s: %s",
        call.request_id,
        url,
        type(exc).__name__,
        exc,
    )
    return error
