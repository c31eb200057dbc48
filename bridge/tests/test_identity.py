"""One case per id source, in the shapes LiteLLM 1.108.7 really produces (see README.md)."""

from typing import Any

import pytest

from agentllm_bridge.identity import CallContext, Identity, normalize_id, resolve_identity


def proxy_ctx(
    *,
    headers: dict[str, str] | None = None,
    body_metadata: dict[str, Any] | None = None,
    end_user: str | None = None,
    key_user: str | None = "default_user_id",
    optional_params: dict[str, Any] | None = None,
    user: str | None = None,
    body: dict[str, Any] | None = None,
) -> CallContext:
    """What the proxy hands the handler: body metadata merged into metadata and copied to
    requester_metadata, lower-cased headers, the key's fields, the whole request."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    requester = {**(body_metadata or {}), "headers": lowered}
    metadata = {
        **requester,
        "requester_metadata": requester,
        "user_api_key_end_user_id": end_user,
        "user_api_key_user_id": key_user,
    }
    request = {"url": "http://proxy/v1/chat/completions", "headers": lowered, "body": body or {}}
    return CallContext(
        litellm_params={"metadata": metadata, "proxy_server_request": request},
        optional_params=optional_params or {},
        user=user,
    )


def direct_ctx(metadata: dict[str, Any] | None = None, user: str | None = None, **optional: Any) -> CallContext:
    """What `litellm.completion(..., user=, metadata=, chat_id=)` hands the handler."""
    return CallContext(litellm_params={"metadata": metadata}, optional_params=optional, user=user)


# ---- user id sources ----


def test_user_from_openwebui_header() -> None:
    ctx = proxy_ctx(headers={"X-OpenWebUI-User-Id": "u-header"})
    assert resolve_identity(ctx).user_id == "u-header"


def test_user_from_user_header_name_setting() -> None:
    # general_settings.user_header_name names some other header; LiteLLM resolves it for us.
    ctx = proxy_ctx(headers={"X-Other-User": "u-end"}, end_user="u-end")
    assert resolve_identity(ctx).user_id == "u-end"


def test_user_from_body_user() -> None:
    assert resolve_identity(proxy_ctx(user="u-body")).user_id == "u-body"
    assert resolve_identity(proxy_ctx(body={"user": "u-raw-body"})).user_id == "u-raw-body"
    assert resolve_identity(direct_ctx(user="u-direct")).user_id == "u-direct"


def test_user_from_metadata_user_id() -> None:
    assert resolve_identity(proxy_ctx(body_metadata={"user_id": "u-meta"})).user_id == "u-meta"
    assert resolve_identity(direct_ctx({"user_id": "u-direct-meta"})).user_id == "u-direct-meta"


def test_user_from_litellm_key() -> None:
    assert resolve_identity(proxy_ctx(key_user="u-key")).user_id == "u-key"


def test_master_key_placeholder_is_no_user() -> None:
    assert resolve_identity(proxy_ctx()) == Identity(user_id=None, session_id=None)


def test_user_precedence() -> None:
    everything = dict(
        headers={"X-OpenWebUI-User-Id": "1-header"},
        end_user="2-end",
        user="3-body",
        body_metadata={"user_id": "4-meta"},
        key_user="5-key",
    )
    assert resolve_identity(proxy_ctx(**everything)).user_id == "1-header"  # type: ignore[arg-type]
    del everything["headers"]
    assert resolve_identity(proxy_ctx(**everything)).user_id == "2-end"  # type: ignore[arg-type]
    del everything["end_user"]
    assert resolve_identity(proxy_ctx(**everything)).user_id == "3-body"  # type: ignore[arg-type]
    del everything["user"]
    assert resolve_identity(proxy_ctx(**everything)).user_id == "4-meta"  # type: ignore[arg-type]
    del everything["body_metadata"]
    assert resolve_identity(proxy_ctx(**everything)).user_id == "5-key"  # type: ignore[arg-type]


# ---- session id sources ----


def test_session_from_openwebui_chat_header() -> None:
    assert resolve_identity(proxy_ctx(headers={"X-OpenWebUI-Chat-Id": "c-header"})).session_id == "c-header"


def test_session_from_headers_of_proxy_request_when_metadata_has_none() -> None:
    ctx = CallContext(
        litellm_params={"proxy_server_request": {"headers": {"x-openwebui-chat-id": "c-req"}}},
        optional_params={},
    )
    assert resolve_identity(ctx).session_id == "c-req"


def test_session_from_body_chat_id() -> None:
    assert resolve_identity(proxy_ctx(optional_params={"chat_id": "c-body"})).session_id == "c-body"
    assert resolve_identity(direct_ctx(chat_id="c-kwarg")).session_id == "c-kwarg"


def test_session_from_metadata_chat_id() -> None:
    assert resolve_identity(proxy_ctx(body_metadata={"chat_id": "c-meta"})).session_id == "c-meta"
    assert resolve_identity(direct_ctx({"chat_id": "c-direct"})).session_id == "c-direct"


def test_session_from_session_id() -> None:
    assert resolve_identity(proxy_ctx(optional_params={"session_id": "s-body"})).session_id == "s-body"
    assert resolve_identity(direct_ctx({"session_id": "s-meta"})).session_id == "s-meta"


def test_session_precedence() -> None:
    ctx = proxy_ctx(
        headers={"X-OpenWebUI-Chat-Id": "1-header"},
        optional_params={"chat_id": "2-body", "session_id": "4-session"},
        body_metadata={"chat_id": "3-meta"},
    )
    assert resolve_identity(ctx).session_id == "1-header"
    ctx = proxy_ctx(optional_params={"chat_id": "2-body", "session_id": "4"}, body_metadata={"chat_id": "3"})
    assert resolve_identity(ctx).session_id == "2-body"
    ctx = proxy_ctx(optional_params={"session_id": "4"}, body_metadata={"chat_id": "3-meta"})
    assert resolve_identity(ctx).session_id == "3-meta"


# ---- validation ----


def test_ids_are_stripped_and_blank_means_absent() -> None:
    ctx = proxy_ctx(headers={"X-OpenWebUI-User-Id": "   ", "X-OpenWebUI-Chat-Id": " c1 "}, user=" u1 ")
    assert resolve_identity(ctx) == Identity(user_id="u1", session_id="c1", user_source="body")


def test_numbers_are_ids() -> None:
    assert normalize_id("user", 42) == "42"


@pytest.mark.parametrize(
    ("value", "reason"),
    [("x" * 257, "longer than 256"), ({"id": 1}, "must be a string"), (True, "must be a string"), ("a\nb", "ASCII")],
)
def test_bad_ids_are_400_naming_the_field(value: object, reason: str) -> None:
    with pytest.raises(Exception) as caught:
        resolve_identity(proxy_ctx(optional_params={"chat_id": value}))
    assert getattr(caught.value, "status_code", None) == 400
    assert "chat_id" in str(caught.value)
    assert reason in str(caught.value)


def test_256_chars_is_fine() -> None:
    assert normalize_id("user", "x" * 256) == "x" * 256
