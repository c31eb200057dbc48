"""Who is asking and in which chat, from what LiteLLM hands the handler.

Where LiteLLM 1.108.7 puts things (verified against the installed proxy, see README.md):
- all request headers, lower-cased: `litellm_params["metadata"]["headers"]`
  (also `litellm_params["proxy_server_request"]["headers"]`);
- the `general_settings.user_header_name` header's value: `metadata["user_api_key_end_user_id"]`;
- body `metadata`: merged into `metadata` and copied to `metadata["requester_metadata"]`;
- unknown body keys such as `chat_id`: `optional_params`;
- body `user` (or `litellm.completion(user=...)`): neither params dict; LiteLLM keeps it on the
  logging object, so the handler passes it in as `CallContext.user`;
- the LiteLLM key's user: `metadata["user_api_key_user_id"]`.

Each source is a small function; resolution is "first source with a value wins". A later
trusted source (a verified Open WebUI JWT) goes first in `USER_SOURCES` / `SESSION_SOURCES`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from litellm.constants import LITELLM_PROXY_ADMIN_NAME

from agentllm_bridge.errors import invalid_identity

MAX_ID_LENGTH = 256

OPENWEBUI_USER_HEADER = "x-openwebui-user-id"
OPENWEBUI_CHAT_HEADER = "x-openwebui-chat-id"


@dataclass(frozen=True)
class CallContext:
    """The slice of a LiteLLM call that identity is read from."""

    litellm_params: Mapping[str, Any]
    optional_params: Mapping[str, Any]
    user: object = None

    @property
    def metadata(self) -> Mapping[str, Any]:
        meta = self.litellm_params.get("metadata") or self.litellm_params.get("litellm_metadata")
        return meta if isinstance(meta, Mapping) else {}

    @property
    def requester_metadata(self) -> Mapping[str, Any]:
        """The body's own `metadata` (the proxy copies it here before adding its fields)."""
        meta = self.metadata.get("requester_metadata")
        return meta if isinstance(meta, Mapping) else {}

    @property
    def headers(self) -> Mapping[str, Any]:
        headers = self.metadata.get("headers")
        if not isinstance(headers, Mapping):
            request = self.litellm_params.get("proxy_server_request")
            headers = request.get("headers") if isinstance(request, Mapping) else None
        if not isinstance(headers, Mapping):
            return {}
        return {str(k).lower(): v for k, v in headers.items()}

    @property
    def body(self) -> Mapping[str, Any]:
        request = self.litellm_params.get("proxy_server_request")
        body = request.get("body") if isinstance(request, Mapping) else None
        return body if isinstance(body, Mapping) else {}


@dataclass(frozen=True)
class Identity:
    user_id: str | None
    session_id: str | None


Source = Callable[[CallContext], object]


def header_user(ctx: CallContext) -> object:
    return ctx.headers.get(OPENWEBUI_USER_HEADER)


def end_user_from_header_setting(ctx: CallContext) -> object:
    # The value of whatever header `general_settings.user_header_name` names.
    return ctx.metadata.get("user_api_key_end_user_id")


def body_user(ctx: CallContext) -> object:
    return ctx.user if ctx.user is not None else ctx.body.get("user")


def metadata_user(ctx: CallContext) -> object:
    return _first(ctx.requester_metadata.get("user_id"), ctx.metadata.get("user_id"))


def key_user(ctx: CallContext) -> object:
    user_id = ctx.metadata.get("user_api_key_user_id")
    # The master key carries LiteLLM's placeholder admin id; it names nobody.
    return None if user_id == LITELLM_PROXY_ADMIN_NAME else user_id


def header_chat(ctx: CallContext) -> object:
    return ctx.headers.get(OPENWEBUI_CHAT_HEADER)


def body_chat(ctx: CallContext) -> object:
    return _first(ctx.optional_params.get("chat_id"), ctx.body.get("chat_id"))


def metadata_chat(ctx: CallContext) -> object:
    return _first(ctx.requester_metadata.get("chat_id"), ctx.metadata.get("chat_id"))


def session_id_param(ctx: CallContext) -> object:
    return _first(
        ctx.optional_params.get("session_id"),
        ctx.requester_metadata.get("session_id"),
        ctx.metadata.get("session_id"),
    )


# (field name used in error messages, source), in precedence order.
USER_SOURCES: tuple[tuple[str, Source], ...] = (
    ("X-OpenWebUI-User-Id header", header_user),
    ("user header (user_header_name)", end_user_from_header_setting),
    ("user", body_user),
    ("metadata.user_id", metadata_user),
    ("LiteLLM key user_id", key_user),
)
SESSION_SOURCES: tuple[tuple[str, Source], ...] = (
    ("X-OpenWebUI-Chat-Id header", header_chat),
    ("chat_id", body_chat),
    ("metadata.chat_id", metadata_chat),
    ("session_id", session_id_param),
)


def resolve_identity(ctx: CallContext) -> Identity:
    return Identity(user_id=first_id(ctx, USER_SOURCES), session_id=first_id(ctx, SESSION_SOURCES))


def first_id(ctx: CallContext, sources: tuple[tuple[str, Source], ...]) -> str | None:
    for field, source in sources:
        value = normalize_id(field, source(ctx))
        if value is not None:
            return value
    return None


def normalize_id(field: str, value: object) -> str | None:
    """Ids are opaque strings; blank counts as absent; oversized, non-scalar or unprintable is a 400."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise invalid_identity(field, "must be a string")
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_ID_LENGTH:
        raise invalid_identity(field, f"longer than {MAX_ID_LENGTH} characters")
    if not text.isascii() or not text.isprintable():
        # Ids travel on as HTTP header values: no control characters, no non-ASCII.
        raise invalid_identity(field, "must be printable ASCII")
    return text


def _first(*values: object) -> object:
    return next((v for v in values if v is not None), None)
