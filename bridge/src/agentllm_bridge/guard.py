"""An ASGI layer in front of LiteLLM's app, in the same process (see serve.py).

It does what LiteLLM's own extension points cannot, because each happens before any hook runs:
- reads the request body once, within a size and a time limit (413, 408);
- refuses bodies LiteLLM answers with a 500 (not an object, NaN, too deep; `body_checks`), agent
  models on other endpoints and broken `messages` (`chat_checks`);
- refuses a missing or malformed API key with a 401 on every route LiteLLM guards with a key
  (`key_routes.py`; LiteLLM's auth-failure path imports `prisma`, absent here, and answers 500;
  without a database any key but the master key is LiteLLM's 400 "No connected db.");
- cancels the request when the client disconnects before the response starts (LiteLLM and
  Starlette do not, so a non-stream agent run would go on for nobody);
- answers `/health/readiness` with 503 while the agent runtime is not ready;
- gives an agent call's 429 or 503 a `Retry-After`: the runtime's own wait (LiteLLM keeps it only
  as `llm_provider-retry-after`), else for a 503 AGENTLLM_PROXY_RETRY_AFTER_S.
Every refusal is an OpenAI error JSON (`ClientFault`) and one warning line, never a traceback.
"""

import asyncio
import codecs
import hmac
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from litellm.proxy.auth.route_checks import RouteChecks
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from agentllm_bridge.body_checks import parse_json_object
from agentllm_bridge.chat_checks import check_chat_request, check_endpoint, is_agent_model, is_chat_path
from agentllm_bridge.client_fault import ClientFault
from agentllm_bridge.errors import retry_after_seconds
from agentllm_bridge.proxy_settings import ProxySettings
from agentllm_bridge.readiness import RuntimeReadiness

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("agentllm_bridge")

READINESS_PATH = "/health/readiness"
# Other headers LiteLLM takes a key from; a request using one is left to LiteLLM's own check.
_OTHER_KEY_HEADERS = (b"x-litellm-api-key", b"api-key", b"x-api-key", b"x-goog-api-key", b"ocp-apim-subscription-key")
_FORM_TYPES = (b"multipart/form-data", b"application/x-www-form-urlencoded")


@dataclass(frozen=True)
class AuthState:
    """What LiteLLM knows about keys: its master key (None: no auth) and whether it has a database."""

    master_key: str | None
    has_database: bool


class ProxyGuard:
    def __init__(
        self,
        app: ASGIApp,
        settings: ProxySettings,
        readiness: RuntimeReadiness,
        auth_state: Callable[[], AuthState],
        needs_key: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self._app = app
        self._settings = settings
        self._readiness = readiness
        self._auth_state = auth_state
        self._needs_key = needs_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets: LiteLLM's business
            await self._app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.rstrip("/") == READINESS_PATH and not await self._readiness.is_ready():
            await _send_json(
                send,
                503,
                b'{"status": "unhealthy", "agents": "unavailable", '
                b'"error": "The agent runtime is not ready; agent models are unavailable."}',
                [(b"retry-after", str(self._settings.retry_after_s).encode())],
            )
            return
        agent_call = False
        try:
            llm_route = RouteChecks.is_llm_api_route(path)
            await self._check_key(scope, always=llm_route)
            body = await self._read_body(scope, receive)
            if body is None:
                return  # the client left while sending; nobody to answer
            if llm_route and body.strip() and _is_form(scope):
                # Audio transcriptions, image edits: the model is a form field.
                check_endpoint(path, {"model": await _form_model(scope, body)})
            elif llm_route and body.strip():
                parsed = parse_json_object(body, max_depth=self._settings.max_json_depth)
                # JSON text may start with a byte order mark (RFC 8259 lets parsers accept one);
                # LiteLLM refuses it, so LiteLLM gets the same JSON without.
                body = body.removeprefix(codecs.BOM_UTF8)
                check_endpoint(path, parsed)
                if is_chat_path(path):
                    check_chat_request(parsed)
                agent_call = is_agent_model(parsed.get("model"))
        except ClientFault as fault:
            logger.warning(
                "request refused method=%s path=%s status=%s: %s", scope["method"], path, fault.status, fault
            )
            close = fault.status in (408, 413)  # the rest of the body may still be on its way
            await _send_json(send, fault.status, fault.body(), [(b"connection", b"close")] if close else [])
            return
        await self._run(scope, body, receive, send, agent_call=agent_call)

    async def _check_key(self, scope: Scope, *, always: bool) -> None:
        """On LLM API routes (`always`) and, when the key is missing or wrong, on every route
        LiteLLM guards with a key (asking `needs_key` only then keeps it off the hot path)."""
        state = self._auth_state()
        if state.master_key is None:
            return  # the proxy runs without auth
        headers = scope["headers"]
        if any(name in _OTHER_KEY_HEADERS for name, _ in headers):
            return
        fault = _key_fault(headers, state.master_key, has_database=state.has_database)
        if fault is None:
            return
        if always or (self._needs_key is not None and await self._needs_key(scope["path"])):
            raise fault

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        limit = self._settings.max_body_bytes
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                raise _too_large(limit)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.body_timeout_s
        body = bytearray()
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise ClientFault(
                    408, f"request body not received within {self._settings.body_timeout_s:g} s", "request_timeout"
                ) from None
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            if len(body) > limit:
                raise _too_large(limit)
            if not message.get("more_body", False):
                return bytes(body)

    def _with_retry_after(self, status: int, start: Message) -> list[tuple[bytes, bytes]]:
        """An agent call's 429 or 503 says when to retry: the runtime's own wait, which LiteLLM
        passes on only as `llm_provider-retry-after` (errors.py puts it there), else for a 503
        (the runtime unreachable) AGENTLLM_PROXY_RETRY_AFTER_S."""
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        if any(name.lower() == b"retry-after" for name, _ in headers):
            return headers
        runtime_wait = next(
            (
                seconds
                for name, value in headers
                if name.lower() == b"llm_provider-retry-after" and (seconds := retry_after_seconds(value)) is not None
            ),
            None,
        )
        if runtime_wait is not None:
            headers.append((b"retry-after", str(runtime_wait).encode()))
        elif status == 503:
            headers.append((b"retry-after", str(self._settings.retry_after_s).encode()))
        return headers

    async def _run(self, scope: Scope, body: bytes, receive: Receive, send: Send, *, agent_call: bool) -> None:
        """Run LiteLLM's app on the buffered body; cancel it if the client leaves before the response starts."""
        body_sent = False
        client_gone = asyncio.Event()
        response_started = False

        async def app_receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await client_gone.wait()
            return {"type": "http.disconnect"}

        async def app_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                if agent_call and message["status"] in (429, 503):
                    message = {**message, "headers": self._with_retry_after(message["status"], message)}
            await send(message)

        app_task = asyncio.ensure_future(self._app(scope, app_receive, app_send))

        async def watch_client() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            client_gone.set()
            # A started response (a stream) is LiteLLM's to end: it closes the handler's generator.
            if not response_started and not app_task.done():
                logger.info("client disconnected before the response; cancelling path=%s", scope["path"])
                app_task.cancel()

        watcher = asyncio.ensure_future(watch_client())
        try:
            await app_task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not client_gone.is_set() or (current is not None and current.cancelling()):
                raise  # the server is cancelling us, not the client leaving
        finally:
            watcher.cancel()
            if not app_task.done():
                app_task.cancel()


def _key_fault(headers: list[tuple[bytes, bytes]], master_key: str, *, has_database: bool) -> ClientFault | None:
    values = [value for name, value in headers if name == b"authorization" and value.strip()]
    if not values:
        return ClientFault(401, "missing API key: send the header 'Authorization: Bearer <key>'", "missing_api_key")
    scheme, _, key = values[0].decode("latin-1").strip().partition(" ")
    key = key.strip()
    if len(values) > 1 or scheme.lower() != "bearer" or not key or " " in key:
        return ClientFault(401, "malformed Authorization header: expected 'Bearer <key>'", "invalid_api_key")
    # Without a database LiteLLM knows no key but the master key (and would answer 400).
    if not has_database and not hmac.compare_digest(key.encode(), master_key.encode()):
        return ClientFault(401, "invalid API key", "invalid_api_key")
    return None


def _too_large(limit: int) -> ClientFault:
    return ClientFault(413, f"request body is larger than {limit} bytes", "request_too_large")


async def _form_model(scope: Scope, body: bytes) -> object:
    """The `model` field of a form body (None without one), parsed by Starlette as LiteLLM will."""

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(scope, replay).form() as form:
            model = form.get("model")
            return model if isinstance(model, str) else None
    except MultiPartException as exc:  # raised as is while the scope has no "app" (before Starlette)
        raise ClientFault(400, f"request body is not a valid form: {exc.message}", "invalid_body") from None
    except HTTPException as exc:
        raise ClientFault(400, f"request body is not a valid form: {exc.detail}", "invalid_body") from None


def _is_form(scope: Scope) -> bool:
    return any(name == b"content-type" and value.lower().startswith(_FORM_TYPES) for name, value in scope["headers"])


async def _send_json(send: Send, status: int, body: bytes, extra_headers: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
