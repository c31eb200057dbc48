"""Every failure the bridge reports becomes one exception carrying an HTTP status.

LiteLLM turns `CustomLLMError.status_code` into the matching OpenAI error for the client
(404 -> NotFoundError, 429 -> RateLimitError, 503 -> ServiceUnavailableError, ...). Any other
exception type would reach the client as a 500 "connection error" carrying a traceback, so
nothing else may escape the handler.
"""

import json
from collections.abc import Mapping

import httpx
from litellm.exceptions import APIError
from litellm.llms.custom_llm import CustomLLMError

from agentllm_bridge.wire import ErrorDetail

PROVIDER = "agno"

# Statuses the runtime documents; anything else non-2xx is reported as a bad gateway.
_RUNTIME_STATUSES = frozenset({400, 401, 404, 409, 413, 429, 502, 503, 504})
# LiteLLM 1.108.7 maps any 4xx it has no class for (409 session busy, 413 too large) to a 400
# BadRequestError. Its own exception types pass through its mapping untouched, and APIError
# keeps any status, so those two are raised as APIError instead of CustomLLMError.
_REMAPPED_BY_LITELLM = frozenset({409, 413})
_MAX_RAW_BODY = 500
# Longer than any wait the runtime asks for (Gemini's quota resets are seconds to minutes).
_MAX_RETRY_AFTER_S = 86_400
# A stream the runtime ends with an error event has sent its 200 already, so the event carries
# the runtime's string `code` but no status: these are the codes whose status before the first
# byte is not 502 (docs/architecture.md#errors), so a client sees the same status either way.
_STREAM_CODE_STATUSES: Mapping[str, int] = {
    "database_unavailable": 503,
    "runtime_draining": 503,
    "upstream_unavailable": 503,
    "upstream_timeout": 504,
    "upstream_rate_limited": 429,
    "upstream_rejected_request": 400,
}

BridgeError = CustomLLMError | APIError
BRIDGE_ERRORS = (CustomLLMError, APIError)  # for `except` (which takes no union type)


def bridge_error(status: int, message: str) -> BridgeError:
    if status in _REMAPPED_BY_LITELLM:
        return APIError(status_code=status, message=message, llm_provider=PROVIDER, model=None)
    return CustomLLMError(status_code=status, message=message)


def misconfigured(problem: str) -> BridgeError:
    return bridge_error(500, f"agent bridge misconfigured: {problem}")


def invalid_identity(field: str, reason: str) -> BridgeError:
    return bridge_error(400, f"invalid {field}: {reason}")


def invalid_identity_token(problem: str) -> BridgeError:
    """A present but unusable identity JWT. The message names the problem, never the token."""
    return bridge_error(401, f"identity token {problem}")


def from_runtime_response(status: int, body: bytes, retry_after: str | None = None) -> BridgeError:
    """A non-2xx answer: keep the runtime's status and message, and its `Retry-After`.

    LiteLLM copies an exception's `headers` into the proxy's response as `llm_provider-retry-after`
    (never as `retry-after` itself); the proxy's guard turns that back into the client's header.
    """
    detail = _error_detail(body)
    message = detail.get("message") if detail else None
    if not isinstance(message, str) or not message:
        message = body[:_MAX_RAW_BODY].decode("utf-8", "replace") or f"agent runtime answered HTTP {status}"
    error = bridge_error(status if status in _RUNTIME_STATUSES else 502, message)
    seconds = retry_after_seconds(retry_after)
    if seconds is not None:
        error.headers = {"retry-after": str(seconds)}  # type: ignore[union-attr]
    return error


def retry_after_seconds(value: str | bytes | None) -> int | None:
    """A `Retry-After` in whole seconds (the runtime sends no dates), within a day; else None."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if value is None or not value.strip().isdigit():
        return None
    seconds = int(value.strip())
    return seconds if seconds <= _MAX_RETRY_AFTER_S else None


def from_stream_event(detail: Mapping[str, object]) -> BridgeError:
    """The `data: {"error": ...}` event that ends a failed stream: a numeric `code` is the status,
    a runtime code has the status the runtime gives it before the first byte, any other is 502."""
    code = detail.get("code")
    status = 502
    if isinstance(code, int) and not isinstance(code, bool):
        status = code
    elif isinstance(code, str) and code.isdigit():
        status = int(code)
    elif isinstance(code, str):
        status = _STREAM_CODE_STATUSES.get(code, 502)
    if not 400 <= status <= 599:
        status = 502
    message = detail.get("message") or "agent runtime failed mid-stream"
    return bridge_error(status, str(message))


RUNTIME_UNAVAILABLE = "The agent runtime is unavailable right now; try again shortly."
RUNTIME_TIMED_OUT = "The agent runtime did not answer in time; try again shortly."
RUNTIME_CONNECTION_LOST = "The connection to the agent runtime broke; try again."


def from_transport(exc: httpx.TransportError) -> BridgeError:
    """No usable HTTP answer: the runtime is down, slow, or dropped the connection.

    The message is the same whatever the cause: the runtime's address and httpx's text are for
    the bridge's log (see runtime_client), never for the client.
    """
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return bridge_error(503, RUNTIME_UNAVAILABLE)
    if isinstance(exc, httpx.TimeoutException):
        return bridge_error(504, RUNTIME_TIMED_OUT)
    return bridge_error(502, RUNTIME_CONNECTION_LOST)


def stream_ended_early() -> BridgeError:
    return bridge_error(502, "agent runtime closed the stream before [DONE]")


def malformed_reply(what: str) -> BridgeError:
    return bridge_error(502, f"agent runtime sent a malformed reply: {what}")


def error_code(body: bytes) -> object:
    """The `error.code` of an OpenAI-style error body, or None."""
    detail = _error_detail(body)
    return detail.get("code") if detail else None


def _error_detail(body: bytes) -> ErrorDetail | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        detail: ErrorDetail = parsed["error"]
        return detail
    return None
