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

Each source is a small function; resolution is "first source with a value wins".

Two modes for the user id, chosen per call by `AGENTLLM_IDENTITY_JWT_SECRET`:
- unset (header mode): every source in `HEADER_MODE_USER_SOURCES` is trusted, as sent;
- set (JWT mode): only a valid Open WebUI `X-OpenWebUI-User-Jwt` (HS256, signed with that
  secret) or the user of a per-user LiteLLM key (which LiteLLM verified) names the user; a
  present but invalid token is a 401. Plain headers, body `user` and `metadata.user_id` are
  ignored, since anyone holding the LiteLLM key can set them.
The session id comes from `SESSION_SOURCES` in both modes.
"""

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from jwt.exceptions import InvalidSubjectError
from litellm.constants import LITELLM_PROXY_ADMIN_NAME

from agentllm_bridge.errors import invalid_identity, invalid_identity_token, misconfigured

logger = logging.getLogger("agentllm_bridge")

MAX_ID_LENGTH = 256

OPENWEBUI_USER_HEADER = "x-openwebui-user-id"
OPENWEBUI_CHAT_HEADER = "x-openwebui-chat-id"

# Open WebUI (backend/open_webui/utils/headers.py, `_mint_forward_user_jwt`): with
# FORWARD_USER_INFO_HEADER_JWT_SECRET set it sends this header instead of the X-OpenWebUI-User-*
# headers, an HS256 JWT {sub, email, name, role, iss: "open-webui", iat, exp = iat + 300 s}.
JWT_SECRET_ENV = "AGENTLLM_IDENTITY_JWT_SECRET"  # noqa: S105  # the variable name, not its value
OPENWEBUI_JWT_HEADER = "x-openwebui-user-jwt"
JWT_ALGORITHMS = ("HS256",)  # fixed, never taken from the token: no `none`, no RS/HS confusion
JWT_ISSUER = "open-webui"
JWT_LEEWAY_SECONDS = 30  # clock skew between Open WebUI and the proxy host
# RFC 7518 3.2: an HS256 key must be at least as long as the hash output (256 bits).
MIN_SECRET_BYTES = 32

UserSource = Literal["jwt", "virtual_key", "header", "body", "metadata", "anonymous"]


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
    user_source: UserSource = "anonymous"  # which source named the user (logged per request)


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


# (field name used in error messages, what the log calls it, source), in precedence order.
UserSources = tuple[tuple[str, UserSource, Source], ...]
HEADER_MODE_USER_SOURCES: UserSources = (
    ("X-OpenWebUI-User-Id header", "header", header_user),
    ("user header (user_header_name)", "header", end_user_from_header_setting),
    ("user", "body", body_user),
    ("metadata.user_id", "metadata", metadata_user),
    ("LiteLLM key user_id", "virtual_key", key_user),
)
# After the JWT, only what LiteLLM itself verified: the per-user virtual key's user.
JWT_MODE_USER_SOURCES: UserSources = (("LiteLLM key user_id", "virtual_key", key_user),)
# (field name used in error messages, source), in precedence order.
SESSION_SOURCES: tuple[tuple[str, Source], ...] = (
    ("X-OpenWebUI-Chat-Id header", header_chat),
    ("chat_id", body_chat),
    ("metadata.chat_id", metadata_chat),
    ("session_id", session_id_param),
)


def resolve_identity(ctx: CallContext, env: Mapping[str, str] = os.environ) -> Identity:
    """Who and which chat. The env is read per call, like the runtime settings."""
    user_id: str | None
    source: UserSource
    secret = jwt_secret(env)
    if secret is None:
        if ctx.headers.get(OPENWEBUI_JWT_HEADER) is not None:
            _warn_unverified_jwt()
        user_id, source = first_user(ctx, HEADER_MODE_USER_SOURCES)
    elif (jwt_user := verified_jwt_user(ctx, secret)) is not None:
        user_id, source = jwt_user, "jwt"
    else:
        user_id, source = first_user(ctx, JWT_MODE_USER_SOURCES)
    return Identity(user_id=user_id, session_id=first_id(ctx, SESSION_SOURCES), user_source=source)


def jwt_secret(env: Mapping[str, str]) -> str | None:
    """The shared secret, stripped as Open WebUI strips its copy; blank means header mode."""
    secret = env.get(JWT_SECRET_ENV, "").strip()
    if not secret:
        return None
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise misconfigured(f"{JWT_SECRET_ENV} must be at least {MIN_SECRET_BYTES} bytes (HS256)")
    return secret


def verified_jwt_user(ctx: CallContext, secret: str) -> str | None:
    """The `sub` of a valid Open WebUI identity token; None when the request carries none.

    Any problem with a token that is present is a 401 naming the problem, never the token.
    """
    token = ctx.headers.get(OPENWEBUI_JWT_HEADER)
    if token is None or (isinstance(token, str) and not token.strip()):
        return None
    if not isinstance(token, str):
        raise invalid_identity_token("malformed")
    claims = decode_identity_token(token.strip(), secret)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise invalid_identity_token("has no subject (sub)")
    return normalize_id("identity token sub", sub)


def decode_identity_token(token: str, secret: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=list(JWT_ALGORITHMS),
            leeway=JWT_LEEWAY_SECONDS,
            # Open WebUI always sets both; a token without exp would never expire.
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise invalid_identity_token("expired") from None
    except jwt.InvalidSignatureError:
        raise invalid_identity_token("signature invalid") from None
    except jwt.InvalidAlgorithmError:
        raise invalid_identity_token(f"algorithm not allowed (only {', '.join(JWT_ALGORITHMS)})") from None
    except jwt.MissingRequiredClaimError as exc:
        what = {"exp": "expiry (exp)", "sub": "subject (sub)"}.get(exc.claim, exc.claim)
        raise invalid_identity_token(f"has no {what}") from None
    except jwt.ImmatureSignatureError:
        raise invalid_identity_token("not yet valid") from None
    except InvalidSubjectError:
        raise invalid_identity_token("subject (sub) is not a string") from None
    except jwt.DecodeError:
        raise invalid_identity_token("malformed") from None
    except jwt.InvalidTokenError:
        raise invalid_identity_token("invalid") from None
    except jwt.InvalidKeyError:
        raise misconfigured(f"{JWT_SECRET_ENV} is not usable as an HS256 key") from None
    # `iss` is optional, but when present it must be Open WebUI's.
    if "iss" in claims and claims["iss"] != JWT_ISSUER:
        raise invalid_identity_token(f"issuer is not {JWT_ISSUER}")
    return claims


def first_user(ctx: CallContext, sources: UserSources) -> tuple[str | None, UserSource]:
    for field, kind, source in sources:
        value = normalize_id(field, source(ctx))
        if value is not None:
            return value, kind
    return None, "anonymous"


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


_warned_unverified_jwt = False


def _warn_unverified_jwt() -> None:
    """Open WebUI sends a JWT but the bridge cannot check it: say so once, not per request."""
    global _warned_unverified_jwt
    if not _warned_unverified_jwt:
        _warned_unverified_jwt = True
        logger.warning(
            "requests carry X-OpenWebUI-User-Jwt but %s is not set: the token is ignored and plain "
            "user headers are trusted",
            JWT_SECRET_ENV,
        )
