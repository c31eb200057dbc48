"""JWT mode (AGENTLLM_IDENTITY_JWT_SECRET set): only a verified Open WebUI token or the LiteLLM
key's user names the user. First through `identity.py`, then through litellm with the fake runtime."""

import logging
import time
from typing import Any

import litellm
import pytest

from agentllm_bridge import identity
from agentllm_bridge.identity import JWT_SECRET_ENV, Identity, resolve_identity
from tests.fake_runtime import FakeRuntime
from tests.identity_tokens import OTHER_SECRET, SECRET, mint, unsigned
from tests.test_identity import direct_ctx, proxy_ctx

JWT_ENV = {JWT_SECRET_ENV: SECRET}
JWT_HEADER = "X-OpenWebUI-User-Jwt"
# Everything a caller holding the LiteLLM key can set by hand, all naming someone else.
FORGED: dict[str, Any] = dict(
    headers={"X-OpenWebUI-User-Id": "mallory-header"},
    end_user="mallory-end-user",
    user="mallory-body",
    body_metadata={"user_id": "mallory-meta"},
)


def jwt_ctx(token: str | None, **kwargs: Any) -> Any:
    headers = {**kwargs.pop("headers", {}), **({JWT_HEADER: token} if token is not None else {})}
    return proxy_ctx(headers=headers, **kwargs)


def rejected(token: str, env: dict[str, str] = JWT_ENV) -> Exception:
    with pytest.raises(Exception) as caught:
        resolve_identity(jwt_ctx(token), env)
    return caught.value


# ---- identity.py ----


def test_valid_jwt_names_the_user() -> None:
    ctx = jwt_ctx(mint("u-jwt"), headers={"X-OpenWebUI-Chat-Id": "c-1"})
    assert resolve_identity(ctx, JWT_ENV) == Identity(user_id="u-jwt", session_id="c-1", user_source="jwt")


def test_jwt_wins_over_every_plain_source_and_the_key_user() -> None:
    ctx = jwt_ctx(mint("u-jwt"), key_user="u-key", **FORGED)
    assert resolve_identity(ctx, JWT_ENV).user_id == "u-jwt"


def test_without_jwt_plain_sources_are_ignored() -> None:
    # Master key (LiteLLM's placeholder user): nobody.
    assert resolve_identity(jwt_ctx(None, **FORGED), JWT_ENV) == Identity(None, None, "anonymous")
    assert resolve_identity(direct_ctx({"user_id": "mallory"}, user="mallory"), JWT_ENV).user_id is None


def test_without_jwt_the_virtual_key_user_is_trusted() -> None:
    ctx = jwt_ctx(None, key_user="u-key", **FORGED)
    assert resolve_identity(ctx, JWT_ENV) == Identity(user_id="u-key", session_id=None, user_source="virtual_key")


def test_blank_jwt_header_counts_as_absent() -> None:
    assert resolve_identity(jwt_ctx("  ", key_user="u-key"), JWT_ENV).user_id == "u-key"


def test_session_sources_unchanged_in_jwt_mode() -> None:
    ctx = jwt_ctx(mint(), optional_params={"chat_id": "c-body"}, body_metadata={"session_id": "s"})
    assert resolve_identity(ctx, JWT_ENV).session_id == "c-body"
    ctx = jwt_ctx(None, body_metadata={"chat_id": "c-meta"})
    assert resolve_identity(ctx, JWT_ENV).session_id == "c-meta"


def test_expiry_allows_30_seconds_of_clock_skew() -> None:
    now = int(time.time())
    assert resolve_identity(jwt_ctx(mint("u-skew", iat=now - 310, exp=now - 10)), JWT_ENV).user_id == "u-skew"
    assert resolve_identity(jwt_ctx(mint("u-early", iat=now + 10)), JWT_ENV).user_id == "u-early"


def test_token_without_iss_is_accepted() -> None:
    assert resolve_identity(jwt_ctx(mint("u-no-iss", iss=None)), JWT_ENV).user_id == "u-no-iss"


def _expired() -> str:
    now = int(time.time())
    return mint(iat=now - 400, exp=now - 60)


BAD_TOKENS = [
    pytest.param(_expired, "identity token expired", id="expired"),
    pytest.param(lambda: mint(secret=OTHER_SECRET), "identity token signature invalid", id="bad-signature"),
    pytest.param(unsigned, "identity token algorithm not allowed", id="alg-none"),
    # Same key material, another HMAC: still refused (64+ bytes so PyJWT does not warn about length).
    pytest.param(lambda: mint(algorithm="HS512", secret=SECRET * 2), "identity token algorithm", id="alg-hs512"),
    pytest.param(lambda: mint(sub=None), "identity token has no subject (sub)", id="no-sub"),
    pytest.param(lambda: mint(sub="  "), "identity token has no subject (sub)", id="blank-sub"),
    pytest.param(lambda: mint(exp=None), "identity token has no expiry (exp)", id="no-exp"),
    pytest.param(lambda: mint(iss="someone-else"), "identity token issuer is not open-webui", id="wrong-iss"),
    pytest.param(lambda: mint(iat=int(time.time()) + 600), "identity token not yet valid", id="future-iat"),
    pytest.param(lambda: "garbage-token-value", "identity token malformed", id="garbage"),
    pytest.param(lambda: "bm90.YSBqd3Q.c2ln", "identity token malformed", id="garbage-segments"),
    pytest.param(lambda: mint()[:-4] + "AAAA", "identity token signature invalid", id="tampered"),
]


@pytest.mark.parametrize(("make_token", "message"), BAD_TOKENS)
def test_bad_token_is_401_naming_the_problem_not_the_token(make_token: Any, message: str) -> None:
    token = make_token()
    error = rejected(token)
    assert getattr(error, "status_code", None) == 401
    assert message in str(error)
    for part in token.split("."):
        assert len(part) < 4 or part not in str(error)


def test_bad_token_is_401_even_with_a_key_user_or_plain_headers() -> None:
    # A broken token is never silently downgraded to another source.
    with pytest.raises(Exception) as caught:
        resolve_identity(jwt_ctx(_expired(), key_user="u-key", **FORGED), JWT_ENV)
    assert getattr(caught.value, "status_code", None) == 401


def test_short_secret_is_a_500_naming_the_variable() -> None:
    with pytest.raises(Exception) as caught:
        resolve_identity(jwt_ctx(mint()), {JWT_SECRET_ENV: "too-short"})
    assert getattr(caught.value, "status_code", None) == 500
    assert JWT_SECRET_ENV in str(caught.value)
    assert "too-short" not in str(caught.value)


def test_secret_is_stripped_and_blank_means_header_mode() -> None:
    assert resolve_identity(jwt_ctx(mint("u-jwt")), {JWT_SECRET_ENV: f"  {SECRET}\n"}).user_id == "u-jwt"
    ctx = jwt_ctx(mint("u-jwt"), headers={"X-OpenWebUI-User-Id": "u-header"})
    assert resolve_identity(ctx, {JWT_SECRET_ENV: "   "}).user_source == "header"


def test_header_mode_ignores_the_jwt_and_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "_warned_unverified_jwt", False)
    caplog.set_level(logging.WARNING, logger="agentllm_bridge")
    ctx = jwt_ctx(mint("u-jwt"), headers={"X-OpenWebUI-User-Id": "u-header"})
    for _ in range(3):
        assert resolve_identity(ctx, {}) == Identity(user_id="u-header", session_id=None, user_source="header")
    warnings = [r for r in caplog.records if JWT_SECRET_ENV in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    ("kwargs", "source"),
    [
        (dict(headers={"X-OpenWebUI-User-Id": "u"}), "header"),
        (dict(end_user="u"), "header"),
        (dict(user="u"), "body"),
        (dict(body_metadata={"user_id": "u"}), "metadata"),
        (dict(key_user="u"), "virtual_key"),
        ({}, "anonymous"),
    ],
)
def test_header_mode_reports_its_source(kwargs: dict[str, Any], source: str) -> None:
    assert resolve_identity(proxy_ctx(**kwargs), {}).user_source == source


# ---- through litellm, with the fake runtime ----

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def jwt_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JWT_SECRET_ENV, SECRET)


@pytest.mark.usefixtures("handler", "jwt_mode")
def test_completion_forwards_the_jwt_subject(runtime: FakeRuntime) -> None:
    headers = {"x-openwebui-user-jwt": mint("u-jwt"), "x-openwebui-user-id": "mallory", "x-openwebui-chat-id": "c-7"}
    litellm.completion(model="agno/demo-agent", messages=MESSAGES, user="mallory-body", metadata={"headers": headers})
    assert runtime.last.headers["x-agentllm-user-id"] == "u-jwt"
    assert runtime.last.headers["x-agentllm-session-id"] == "c-7"


@pytest.mark.usefixtures("handler", "jwt_mode")
async def test_astreaming_forwards_the_jwt_subject(runtime: FakeRuntime) -> None:
    headers = {"x-openwebui-user-jwt": mint("u-jwt-stream"), "x-openwebui-user-id": "mallory"}
    stream = await litellm.acompletion(
        model="agno/demo-agent", messages=MESSAGES, stream=True, metadata={"headers": headers}
    )
    async for _ in stream:
        pass
    assert runtime.last.headers["x-agentllm-user-id"] == "u-jwt-stream"


@pytest.mark.usefixtures("handler", "jwt_mode")
def test_completion_without_jwt_ignores_plain_user_sources(runtime: FakeRuntime) -> None:
    litellm.completion(
        model="agno/demo-agent",
        messages=MESSAGES,
        user="mallory-body",
        metadata={"user_id": "mallory-meta", "headers": {"x-openwebui-user-id": "mallory"}, "chat_id": "c-8"},
    )
    assert "x-agentllm-user-id" not in runtime.last.headers
    assert runtime.last.headers["x-agentllm-session-id"] == "c-8"


@pytest.mark.usefixtures("handler", "jwt_mode")
def test_completion_without_jwt_uses_the_virtual_key_user(runtime: FakeRuntime) -> None:
    metadata = {"user_api_key_user_id": "u-key", "headers": {"x-openwebui-user-id": "mallory"}}
    litellm.completion(model="agno/demo-agent", messages=MESSAGES, metadata=metadata)
    assert runtime.last.headers["x-agentllm-user-id"] == "u-key"


@pytest.mark.usefixtures("handler", "jwt_mode")
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("make_token", "message"),
    [p for p in BAD_TOKENS if p.id in {"expired", "bad-signature", "alg-none", "no-sub"}],
)
async def test_bad_jwt_is_401_and_never_reaches_the_runtime(
    runtime: FakeRuntime, stream: bool, make_token: Any, message: str
) -> None:
    token = make_token()
    with pytest.raises(Exception) as caught:
        response = await litellm.acompletion(
            model="agno/demo-agent",
            messages=MESSAGES,
            stream=stream,
            metadata={"headers": {"x-openwebui-user-jwt": token}},
        )
        if stream:
            async for _ in response:
                pass
    assert getattr(caught.value, "status_code", None) == 401
    assert message in str(caught.value)
    assert token not in str(caught.value)
    assert runtime.requests == []
